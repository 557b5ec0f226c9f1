import Foundation
import Logging
import ServiceLifecycle
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The application as a service on a real port: graceful shutdown lets requests in flight finish.
@Suite(.timeLimit(.minutes(1))) struct ZibriApplicationTests {
    static let spec = """
        zibri: "1"
        info: { title: Slow, version: "1" }
        server: { port: 0 }
        http:
          routes:
            GET /slow: { handler: slow, response: { type: string } }
        """

    /// The port, once the server listens.
    actor PortBox {
        var port: Int?
        var handlerStarted = false
        func set(_ value: Int) { port = value }
        func start() { handlerStarted = true }
    }

    @Test func gracefulShutdownFinishesRequestsInFlight() async throws {
        var logger = Logger(label: "shutdown-test")
        logger.logLevel = .warning
        let app = try ZibriApplication(yaml: Self.spec, environment: [:], logger: logger)
        let box = PortBox()
        app.http.handle("slow") { (_: HTTPInput<NoBody>, _) -> String in
            await box.start()
            try? await Task.sleep(for: .milliseconds(500))
            return "done"
        }
        app.onListening = { port in await box.set(port) }
        let group = ServiceGroup(services: [try await app.service()], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var port: Int?
            for _ in 0..<100 where port == nil {
                try await Task.sleep(for: .milliseconds(20))
                port = await box.port
            }
            let url = try #require(port.flatMap { URL(string: "http://127.0.0.1:\($0)/slow") })
            let request = Task { try await URLSession.shared.data(from: url) }
            for _ in 0..<500 where await !box.handlerStarted { try await Task.sleep(for: .milliseconds(10)) }
            await group.triggerGracefulShutdown()
            let (data, response) = try await request.value
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "\"done\"")
            try await tasks.next()  // the group returns once the server has stopped
        }
    }
}
