import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema
import ZibriTesting

/// A real PostgreSQL goes down under a running server and comes back: within a second `/ready`
/// says 503, a message is answered 503, a new connection is refused 4503 and an HTTP request
/// that sends is a 503, each at once instead of waiting on the store; once PostgreSQL is back,
/// all of it works again on the same connection (skipped, saying so, without PostgreSQL).
@Suite(.timeLimit(.minutes(2))) struct GuardedStoreTests {
    static func application(storage: String, storeTimeout: String = "5s") throws -> ZibriApplication {
        let spec = """
            zibri: "1"
            info: { title: Outage, version: "1" }
            storage: "\(storage)"
            http:
              routes:
                POST /say: { handler: post, body: { type: string }, response: { type: string } }
            websocket:
              path: /ws
              limits: { storeTimeout: \(storeTimeout) }
              # The raw client answers no pings.
              heartbeat: { interval: 2m, timeout: 2m }
              channels:
                "room:{id}": { clientJoin: true }
              routes:
                say: { handler: say, body: { type: string } }
            """
        var logger = Logger(label: "outage-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(yaml: spec, environment: [:], logger: logger)
        app.websocket.handle("say") { (text: String, context) -> JSONValue? in
            try await context.websocket.send(event: "said", data: .string(text), toChannel: "room:1")
            return .string(text)
        }
        app.http.handle("post") { (input: HTTPInput<String>, context) -> String in
            try await context.websocket.send(event: "said", data: .string(input.body), toChannel: "room:1")
            return input.body
        }
        return app
    }

    /// Polls `/ready` until it answers `wanted`; how long that took, or nil after `limit`.
    static func ready(
        _ client: some TestClientProtocol, becomes wanted: HTTPResponse.Status, within limit: Duration
    ) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            let status = try await client.execute(uri: "/ready", method: .get) { $0.status }
            if status == wanted { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func anOutageIsAnsweredAtOnceAndTheServerGoesOnWhenTheStoreIsBack() async throws {
        guard let cluster = try await TemporaryPostgres.start() else {
            print(TemporaryPostgres.skipped)
            return
        }
        defer { cluster.stop() }
        let url = try await cluster.makeDatabase()
        try await Self.application(storage: url).makeApplication().test(.live) { client in
            let port = try #require(client.port)
            try await RawWebSocket.connect(port: port) { socket in
                _ = try await socket.receive { $0["event"] == "ws:connected" }
                try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
                // Not inside #expect: the macro would call the mutating receive on a copy.
                let joined = try await socket.receive { $0["ack"] == 1 }
                #expect(joined["ok"] == true)

                try await cluster.pause()
                let noticed = try await Self.ready(client, becomes: .serviceUnavailable, within: .seconds(5))
                #expect(noticed != nil && noticed! < .seconds(2), "/ready noticed after \(String(describing: noticed))")

                // Answered, not left waiting: a storeTimeout of 5 s would be the most.
                let asked = ContinuousClock.now
                try await socket.send(text: #"{"event": "say", "body": "while down", "ack": 2}"#)
                let answer = try await socket.receive { $0["ack"] == 2 }
                #expect(answer["ok"] == false)
                #expect(answer["status"] == 503)
                #expect(ContinuousClock.now - asked < .seconds(2))

                let refused = try await RawWebSocket.connect(port: port) { other in try await other.untilClose() }
                #expect(refused.last?.closeCode == 4503)
                let posted = try await client.execute(
                    uri: "/say", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #""over HTTP""#)
                ) { $0.status }
                #expect(posted == .serviceUnavailable)

                try await cluster.resume()
                let back = try await Self.ready(client, becomes: .ok, within: .seconds(20))
                #expect(back != nil)
                try await socket.send(text: #"{"event": "say", "body": "back", "ack": 3}"#)
                // Delivered (logged) before it is answered.
                let said = try await socket.receive { $0["event"] == "said" }
                #expect(said["data"] == "back")
                let stored = try await socket.receive { $0["ack"] == 3 }
                #expect(stored["ok"] == true)
            }
        }
    }
}
