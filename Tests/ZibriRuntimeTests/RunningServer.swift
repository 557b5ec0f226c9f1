import ServiceLifecycle
import Testing
import ZibriRuntime

/// A server run as `run()` runs it, on a free port, that a test can ask to stop gracefully
/// (as SIGTERM does) and time.
struct RunningServer {
    let port: Int
    let group: ServiceGroup
    let stopped: AsyncStream<Void>

    init(_ app: ZibriApplication) async throws {
        app.port = 0
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        app.onListening = { port in listening.yield(port) }
        let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: try await app.service())], logger: app.logger))
        Task {
            defer {
                listening.finish()  // a server that cannot start fails the test, not hangs it
                stop.finish()
            }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        self.port = try #require(await iterator.next())
        self.group = group
        self.stopped = stopped
    }

    /// Stops the server gracefully; whether it stopped within `limit`.
    func stop(within limit: Duration) async -> Bool {
        await group.triggerGracefulShutdown()
        return await withTaskGroup(of: Bool.self) { race in
            race.addTask {
                for await _ in stopped {}
                return !Task.isCancelled
            }
            race.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await race.next()!
            race.cancelAll()
            return first
        }
    }
}
