import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Testing
import Zibri
import ZibriRuntime
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

    /// A refused handshake, read at the frame level: the text frames and the close code.
    /// (HummingbirdWSClient can miss a frame and close that arrive with the upgrade response;
    /// see docs/protocol.md.)
    static func refusal(port: Int, query: String = "") async throws -> (frames: [JSONValue], close: WebSocketErrorCode?)
    {
        let frames = try await RawWebSocket.connect(port: port, path: "/ws\(query)") { socket in
            try await socket.untilClose()
        }
        let texts = frames.filter { $0.opcode == RawWebSocket.Frame.text }.map {
            (try? JSONDecoder().decode(JSONValue.self, from: Data($0.payload))) ?? .null
        }
        return (texts, frames.last?.closeCode.map { WebSocketErrorCode(codeNumber: $0) })
    }

    @Test func refusalsSendOneFrameThenClose4000PlusStatus() async throws {
        let app = try await Self.application().makeApplication()
        let banned = try await HTTPFixture.token(user: "banned")
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let anonymous = try await Self.refusal(port: port)
            #expect(anonymous.frames.count == 1)
            #expect(anonymous.frames.first?["event"] == "ws:refused")
            #expect(anonymous.frames.first?["status"] == 401)
            #expect(anonymous.close == .unknown(4401))
            // The problem an HTTP route answers for the same condition (one authorizer for both).
            #expect(anonymous.frames.first?["error"]?["type"] == "urn:zibri:problem:unauthorized")
            #expect(anonymous.frames.first?["error"]?["detail"] == "this endpoint needs a bearer token")
            let forged = try await Self.refusal(port: port, query: "?access_token=garbage")
            #expect(forged.frames.first?["error"]?["detail"] == "the token is invalid")
            #expect(forged.close == .unknown(4401))
            let refused = try await Self.refusal(port: port, query: "?access_token=\(banned)")
            #expect(refused.frames.first?["status"] == 403)
            #expect(refused.close == .unknown(4403))
            #expect(refused.frames.first?["error"]?["type"] == "urn:zibri:problem:forbidden")
        }
    }

    /// A page of another site cannot open a socket in the user's name; the server's own pages,
    /// the listed origins and programs (no Origin) can.
    @Test(arguments: [
        ("[https://app.example.com]", "https://evil.example", false),
        ("[https://app.example.com]", "https://app.example.com", true),
        ("[https://APP.example.com:443/]", "https://app.example.com", true),
        ("[https://app.example.com]", "http://app.example.com", false),
        ("[https://app.example.com]", "null", false),
        ("[]", "http://127.0.0.1:{port}", true),
        ("[]", "http://127.0.0.1:1{port}", false),
        ("[]", "", true),
        ("['*']", "https://evil.example", true),
    ])
    func originsAreCheckedForBrowsers(allowed: String, origin: String, accepted: Bool) async throws {
        let spec = """
            zibri: "1"
            info: { title: Origins, version: "1" }
            storage: memory
            websocket:
              path: /ws
              connection: { allowedOrigins: \(allowed) }
            """
        var logger = Logger(label: "ws-origin-test")
        logger.logLevel = .critical
        let app = try await ZibriApplication(yaml: spec, environment: [:], logger: logger).makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let headers = origin.isEmpty ? [:] : ["Origin": origin.replacingOccurrences(of: "{port}", with: "\(port)")]
            let first = try await RawWebSocket.connect(port: port, headers: headers) { socket in
                try await socket.receive()
            }
            if accepted {
                #expect(first["event"] == "ws:connected")
            } else {
                #expect(first["event"] == "ws:refused")
                #expect(first["status"] == 403)
                #expect(first["error"]?["detail"]?.string?.contains("may not connect") == true)
            }
        }
    }

    /// A one-way signal between a test and a client it runs.
    actor Flag {
        var isSet = false
        func set() { isSet = true }
        func wait() async throws {
            while !isSet { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    @Test func joinPolicyAndConnectionLimit() async throws {
        let app = try await Self.application().makeApplication()
        let token = try await HTTPFixture.token(user: "u1")
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (connected, done) = (Flag(), Flag())
            async let holder = Conversation.run(port: port, query: "?access_token=\(token)") { conversation in
                try await conversation.send(#"{"event": "ws:join", "body": {"channel": "room:open"}, "ack": 1}"#)
                #expect(try await conversation.answer(to: 1)["ok"] == true)
                try await conversation.send(#"{"event": "ws:join", "body": {"channel": "room:locked"}, "ack": 2}"#)
                #expect(try await conversation.answer(to: 2)["status"] == 403)
                await connected.set()
                try await done.wait()
            }
            try await connected.wait()
            // The only connection slot is taken: the next one is refused with 4503.
            let second = try await Self.refusal(port: port, query: "?access_token=\(token)")
            #expect(second.frames.first?["status"] == 503)
            #expect(second.close == .unknown(4503))
            await done.set()
            _ = try await holder
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
                    the spec names handlers or policies that are not registered:
                    spec.zibri.yaml:10:48: join policy 'canJoinRoom' is not registered (did you mean 'canJoinRooms'?)
                    spec.zibri.yaml:7:53: connection policy 'canConnect' is not registered
                    """)
        }
    }
}
