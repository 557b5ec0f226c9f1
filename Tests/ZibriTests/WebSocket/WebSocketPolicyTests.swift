import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Testing
import Zibri
import ZibriSchema

/// The handshake's refusals (frame and close code) and the connection and join policies.
@Suite(.timeLimit(.minutes(1))) struct WebSocketPolicyTests {
    static let spec = """
        zibri: "1"
        info: { title: Policies, version: "1" }
        storage: memory
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        websocket:
          path: /ws
          connection: { auth: required, isAllowedToConnect: canConnect }
          limits: { maxConnections: 1 }
          channels:
            "room:{roomId}": { clientJoin: true, join: canJoinRoom }
        """

    static func application() throws -> ZibriApplication {
        var logger = Logger(label: "ws-policy-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(
            yaml: spec, environment: ["TEST_JWT_SECRET": HTTPFixture.secret], logger: logger)
        app.policies.isAllowedToConnect("canConnect") { handshake in handshake.user?.id != "banned" }
        app.policies.join("canJoinRoom") { _, _, parameters in parameters["roomId"] != "locked" }
        return app
    }

    /// Connects, collects the frames until the server closes, and returns them with the close code.
    static func connect(
        port: Int, query: String = "", script: [String] = [], expect count: Int = 1, hold: Duration = .zero
    ) async throws -> (frames: [JSONValue], close: WebSocketErrorCode?) {
        let received = WebSocketRuntimeTests.Collected()
        let close = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/ws\(query)", logger: Logger(label: "client")
        ) { inbound, outbound, _ in
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            if case .text(let text)? = try await iterator.next() { await received.add(text) }
            for frame in script { try await outbound.write(.text(frame)) }
            while await received.values.count < count, case .text(let text)? = try await iterator.next() {
                await received.add(text)
            }
            if count > 1 {
                try await Task.sleep(for: hold)  // keep the connection (and its slot) a while
                try await outbound.close(.normalClosure, reason: nil)
            }
            // Otherwise drain until the server closes.
            while try await iterator.next() != nil {}
        }
        return (await received.values, close?.closeCode)
    }

    @Test func refusalsSendOneFrameThenClose4000PlusStatus() async throws {
        let app = try await Self.application().makeApplication()
        let banned = try await HTTPFixture.token(user: "banned")
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let anonymous = try await Self.connect(port: port)
            #expect(anonymous.frames.first?["event"] == "ws:refused")
            #expect(anonymous.frames.first?["status"] == 401)
            #expect(anonymous.close == .unknown(4401))
            let forged = try await Self.connect(port: port, query: "?access_token=garbage")
            #expect(forged.frames.first?["error"]?["detail"] == "the token is invalid")
            #expect(forged.close == .unknown(4401))
            let refused = try await Self.connect(port: port, query: "?access_token=\(banned)")
            #expect(refused.frames.first?["status"] == 403)
            #expect(refused.close == .unknown(4403))
        }
    }

    @Test func joinPolicyAndConnectionLimit() async throws {
        let app = try await Self.application().makeApplication()
        let token = try await HTTPFixture.token(user: "u1")
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let holder = Task {
                try await Self.connect(
                    port: port, query: "?access_token=\(token)",
                    script: [
                        #"{"event": "ws:join", "body": {"channel": "room:open"}, "ack": 1}"#,
                        #"{"event": "ws:join", "body": {"channel": "room:locked"}, "ack": 2}"#,
                    ], expect: 3, hold: .seconds(1))
            }
            try await Task.sleep(for: .milliseconds(200))
            // The only connection slot is taken: the next one is refused with 4503.
            let second = try await Self.connect(port: port, query: "?access_token=\(token)")
            #expect(second.frames.first?["status"] == 503)
            #expect(second.close == .unknown(4503))
            let first = try await holder.value
            #expect(first.frames.first?["event"] == "ws:connected")
            #expect(first.frames.first { $0["ack"] == 1 }?["ok"] == true)
            #expect(first.frames.first { $0["ack"] == 2 }?["status"] == 403)
        }
    }

    @Test func missingPoliciesStopTheStart() async throws {
        let app = try ZibriApplication(yaml: Self.spec, environment: ["TEST_JWT_SECRET": HTTPFixture.secret])
        app.policies.join("canJoinRooms") { _, _, _ in true }
        do {
            _ = try await app.makeApplication()
            Issue.record("expected a failure")
        } catch let error as ZibriError {
            #expect(
                error.message == """
                    the spec names WebSocket handlers or policies that are not registered:
                    spec.zibri.yaml:10:48: join policy 'canJoinRoom' is not registered (did you mean 'canJoinRooms'?)
                    spec.zibri.yaml:7:53: connection policy 'canConnect' is not registered
                    """)
        }
    }
}
