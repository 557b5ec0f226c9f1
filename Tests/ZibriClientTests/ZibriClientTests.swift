import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriSchema

@testable import ZibriClient

@Suite(.timeLimit(.minutes(1))) struct ZibriClientTests {
    static let spec = """
        zibri: "1"
        info: { title: Client, version: "1" }
        storage: memory
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        websocket:
          path: /ws
          connection: { auth: optional }
          channels:
            "room:{roomId}": { clientJoin: true }
          routes:
            slow: { handler: slow }
        """

    static func application() throws -> ZibriApplication {
        var logger = Logger(label: "client-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(
            yaml: spec,
            environment: ["TEST_JWT_SECRET": "client-test-secret-0123456789abcdef"], logger: logger)
        app.websocket.handle("slow") { (_: JSONValue, _) -> JSONValue? in
            try await Task.sleep(for: .seconds(2))
            return nil
        }
        return app
    }

    static func client(port: Int) -> ZibriClient {
        var configuration = ZibriClient.Configuration()
        configuration.initialBackoff = .milliseconds(100)
        return ZibriClient(url: "ws://127.0.0.1:\(port)/ws", configuration: configuration)
    }

    static func waitFor(_ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func reconnectsRecoversAndDeliversEveryEventOnceInOrder() async throws {
        let app = try Self.application()
        let service = app.websocketService
        try await app.makeApplication().test(.live) { server in
            let client = Self.client(port: try #require(server.port))
            let running = Task { try await client.run() }
            try await Self.waitFor { client.status.connected }
            _ = try await client.request(event: "ws:join", body: ["channel": "room:1"])
            for number in 1...5 { try await service.send(event: "n", data: .integer(number), toChannel: "room:1") }
            // The server drops the connection; what it says meanwhile is owed to the session.
            let id = try #require(client.status.connectionID)
            try await service.disconnect(id, code: 1012, reason: "restart")
            try await Self.waitFor { try await service.connection(id) == nil }
            for number in 6...10 { try await service.send(event: "n", data: .integer(number), toChannel: "room:1") }
            try await Self.waitFor { client.status.connected && client.status.recovered }
            for number in 11...15 { try await service.send(event: "n", data: .integer(number), toChannel: "room:1") }
            var numbers: [Int] = []
            for await event in client.events where event.event == "n" {
                numbers.append(event.data.int ?? 0)
                if numbers.count == 15 { break }
            }
            #expect(numbers == Array(1...15))
            #expect(client.status.connectionID == id)
            // Whatever came while it was away was replayed (how much depends on how fast it
            // came back), the rest arrived live: every number once, in order, above.
            #expect(client.status.recovered)
            await client.stop()
            try await running.value
        }
    }

    @Test func requestsGetTheProblemOrTimeOut() async throws {
        let app = try Self.application()
        try await app.makeApplication().test(.live) { server in
            let client = Self.client(port: try #require(server.port))
            let running = Task { try await client.run() }
            try await Self.waitFor { client.status.connected }
            do {
                _ = try await client.request(event: "nope")
                Issue.record("expected a failure")
            } catch let error as ZibriClientError {
                #expect(error.code == "request-failed")
                #expect(error.status == 404)
                #expect(error.problem?["detail"] == "unknown event 'nope'")
            }
            do {
                _ = try await client.request(event: "slow", timeout: .milliseconds(200))
                Issue.record("expected a timeout")
            } catch let error as ZibriClientError {
                #expect(error.code == "timeout")
            }
            #expect(client.box.withLock { $0.waiting.isEmpty })
            await client.stop()
            try await running.value
        }
    }

    /// The greeting says which channels the connection is in; the status keeps them.
    @Test func theStatusHasTheChannelsTheGreetingNames() async throws {
        let app = try Self.application()
        let service = app.websocketService
        try await app.makeApplication().test(.live) { server in
            let client = Self.client(port: try #require(server.port))
            let running = Task { try await client.run() }
            try await Self.waitFor { client.status.connected }
            #expect(client.status.channels.isEmpty)
            _ = try await client.request(event: "ws:join", body: ["channel": "room:2"])
            _ = try await client.request(event: "ws:join", body: ["channel": "room:1"])
            let id = try #require(client.status.connectionID)
            try await service.disconnect(id, code: 1012, reason: "restart")
            try await Self.waitFor { client.status.connected && client.status.recovered }
            #expect(client.status.channels == ["room:1", "room:2"])
            #expect(client.status.dropped.isEmpty)
            await client.stop()
            try await running.value
        }
    }

    /// The server's log went back (a restored store) under a client that saw a later seq: the
    /// client is told `reason: "epoch"` and starts at the log's present, so the next message,
    /// with a seq below the one it saw, still reaches it.
    @Test func aFreshSessionStartsAtTheServersSeqEvenBelowTheOneSeen() async throws {
        let app = try Self.application()
        let service = app.websocketService
        try await app.makeApplication().test(.live) { server in
            let client = Self.client(port: try #require(server.port))
            let running = Task { try await client.run() }
            try await Self.waitFor { client.status.connected }
            _ = try await client.request(event: "ws:join", body: ["channel": "room:1"])
            try await service.send(event: "n", data: 1, toChannel: "room:1")
            var events = client.events.makeAsyncIterator()
            #expect(await events.next()?.data == 1)
            #expect(client.status.epoch != nil)
            // As if it had seen seq 1,000 of this log before the log went back.
            client.box.withLock { $0.status.lastSeq = 1_000 }
            let id = try #require(client.status.connectionID)
            try await service.disconnect(id, code: 1012, reason: "restart")
            try await Self.waitFor { client.status.connected && client.status.connectionID != id }
            #expect(client.status.recoveryFailure == "epoch")
            #expect(client.status.lastSeq < 1_000)
            _ = try await client.request(event: "ws:join", body: ["channel": "room:1"])
            try await service.send(event: "n", data: 2, toChannel: "room:1")
            #expect(await events.next()?.data == 2)
            await client.stop()
            try await running.value
        }
    }

    @Test func backoffIsJitteredWithinItsBound() {
        let waits = (0..<200).map { _ in
            ZibriClient.backoff(attempt: 3, base: .milliseconds(100), max: .seconds(30))
        }
        #expect(waits.allSatisfy { $0 >= .zero && $0 <= .milliseconds(800) })
        // Spread out, so clients dropped together do not come back together.
        #expect(waits.max()! - waits.min()! > .milliseconds(400))
        #expect(ZibriClient.backoff(attempt: 40, base: .seconds(1), max: .seconds(30)) <= .seconds(30))
    }
}
