import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

/// `registerMocks()`, what `zibri serve --mock` runs: stand-ins for every handler and policy,
/// behind the real runtime.
@Suite(.timeLimit(.minutes(1))) struct MockHandlersTests {
    static let spec = """
        zibri: "1"
        info: { title: Mocked, version: "1" }
        storage: memory
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        models:
          Room:
            properties:
              id: { type: string, pattern: "^[a-z]{3,8}$" }
              title: { type: string, example: Lobby }
              members: { type: integer, minimum: 0, maximum: 500 }
          Odd:
            properties:
              code: { type: string, pattern: "^a\\\\bb$" }
        http:
          routes:
            GET /rooms/{id}: { handler: getRoom, response: Room }
            POST /rooms: { handler: createRoom, body: Room, status: 201, response: Room }
            DELETE /rooms/{id}: { handler: deleteRoom, auth: required, roles: [admin] }
            GET /odd: { handler: odd, response: Odd }
        websocket:
          path: /ws
          connection: { isAllowedToConnect: canConnect }
          lifecycle: { onConnect: hello, onDisconnect: goodbye }
          channels:
            "room:{id}": { clientJoin: true, join: canJoin }
          routes:
            describe: { handler: describeRoom, body: { type: string }, response: Room }
            say: { handler: say, body: { type: object, properties: { text: { type: string, minLength: 1 } } } }
        """

    static func application() throws -> (ZibriApplication, [String]) {
        var logger = Logger(label: "mock-test")
        logger.logLevel = .warning
        let app = try ZibriApplication(
            yaml: spec, file: "mock.zibri.yaml", environment: ["TEST_JWT_SECRET": HTTPFixture.secret], logger: logger)
        return (app, app.registerMocks().map(\.description))
    }

    @Test func httpRoutesAnswerWithValidDataAndTheRuntimeStillChecksEverything() async throws {
        let (zibri, problems) = try Self.application()
        let app = try await zibri.makeApplication()
        // The one response that cannot be built is reported with its place in the spec.
        #expect(
            problems == [
                "mock.zibri.yaml:19:5: warning: the mock answer of GET /odd does not fit its response (/code: must match the pattern ^a\\bb$); give the schema an example"
            ])
        try await app.test(.router) { client in
            try await client.execute(uri: "/rooms/abc", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json == ["id": "aaa", "title": "Lobby", "members": 0])
            }
            try await client.execute(
                uri: "/rooms", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"id": "x", "title": "t", "members": 1}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.json?["errors"]?[0]?["pointer"] == "/body/id")
            }
            try await client.execute(
                uri: "/rooms", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"id": "abcd", "title": "t", "members": 1}"#)
            ) { response in
                #expect(response.status == .created)
                #expect(response.json?["title"] == "Lobby")
            }
            try await client.execute(uri: "/rooms/abc", method: .delete) { response in
                #expect(response.status == .unauthorized)
            }
            let member = try await HTTPFixture.token(roles: ["member"])
            try await client.execute(uri: "/rooms/abc", method: .delete, headers: [.authorization: "Bearer \(member)"])
            {
                response in
                #expect(response.status == .forbidden)
            }
            let admin = try await HTTPFixture.token(roles: ["admin"])
            try await client.execute(uri: "/rooms/abc", method: .delete, headers: [.authorization: "Bearer \(admin)"]) {
                response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func webSocketRoutesAnswerWithTheirResponseOrEchoAndPoliciesAllow() async throws {
        let app = try await Self.application().0.makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let frames = try await WebSocketRuntimeTests.session(
                port: port,
                send: [
                    #"{"event": "ws:join", "body": {"channel": "room:lobby"}, "ack": 1}"#,
                    #"{"event": "describe", "body": "lobby", "ack": 2}"#,
                    #"{"event": "say", "body": {"text": "hello"}, "ack": 3}"#,
                    #"{"event": "say", "body": {"text": ""}, "ack": 4}"#,
                    #"{"event": "describe", "body": 7, "ack": 5}"#,
                ],
                until: { $0.count >= 6 })
            #expect(frames.first?["event"] == "ws:connected")
            let answers = frames.filter { $0["event"] == "ws:response" }
            func answer(_ ack: JSONValue) -> JSONValue? { answers.first { $0["ack"] == ack } }
            #expect(answer(1)?["ok"] == true)
            #expect(answer(2)?["data"] == ["id": "aaa", "title": "Lobby", "members": 0])
            #expect(answer(3)?["data"] == ["text": "hello"])
            #expect(answer(4)?["status"] == 400)
            #expect(answer(4)?["error"]?["errors"]?[0]?["pointer"] == "/body/text")
            #expect(answer(5)?["status"] == 400)
        }
    }

    @Test func handlersTheDeveloperRegisteredAreKept() async throws {
        var logger = Logger(label: "mock-test")
        logger.logLevel = .warning
        let zibri = try ZibriApplication(
            yaml: Self.spec, environment: ["TEST_JWT_SECRET": HTTPFixture.secret], logger: logger)
        zibri.http.handle("getRoom") { (_: HTTPInput<NoBody>, _) -> JSONValue in
            ["id": "real", "title": "Real", "members": 3]
        }
        zibri.registerMocks()
        try await zibri.makeApplication().test(.router) { client in
            try await client.execute(uri: "/rooms/abc", method: .get) { response in
                #expect(response.json?["id"] == "real")
            }
        }
    }
}
