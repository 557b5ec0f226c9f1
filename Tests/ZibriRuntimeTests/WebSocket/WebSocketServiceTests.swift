import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOWebSocket
import Testing
import Zibri
import ZibriSchema

@testable import ZibriRuntime

/// The WebSocket service as handlers use it: asking a client and waiting, disconnecting,
/// sending to a user (also from an HTTP handler), finding connections, lifecycle handlers.
@Suite(.timeLimit(.minutes(1))) struct WebSocketServiceTests {
    static let spec = """
        zibri: "1"
        info: { title: Service, version: "1" }
        storage: memory
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        http:
          routes:
            POST /notify/{userId}:
              handler: notifyUser
              body: { type: any }
              response: { type: object, additionalProperties: true }
        websocket:
          path: /ws
          connection: { auth: optional, timeoutInMs: 1500 }
          lifecycle: { onConnect: welcome, onDisconnect: goodbye }
          channels:
            "room:{roomId}": { clientJoin: true }
          routes:
            ask: { handler: ask }
            kick: { handler: kick }
            whoami: { handler: whoami }
        """

    /// What the lifecycle handlers saw.
    actor Lifecycle {
        var connected: [String] = []
        var disconnected: [String: DisconnectReason] = [:]
        func connect(_ id: String) { connected.append(id) }
        func disconnect(_ id: String, _ reason: DisconnectReason) { disconnected[id] = reason }
    }

    static func application(_ lifecycle: Lifecycle = Lifecycle()) throws -> ZibriApplication {
        var logger = Logger(label: "ws-service-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(
            yaml: spec, environment: ["TEST_JWT_SECRET": HTTPFixture.secret], logger: logger)
        app.websocket.handle("ask") { (question: JSONValue, context) -> JSONValue? in
            do {
                let answer = try await context.websocket.request(
                    event: "confirm", data: question, to: context.connection.id)
                return ["answer": answer]
            } catch let error as WebSocketError {
                return ["error": .string(error.code)]
            }
        }
        app.websocket.handle("kick") { (_: JSONValue, context) -> JSONValue? in
            try await context.websocket.disconnect(context.connection.id, code: 4000, reason: "kicked")
            return nil
        }
        app.websocket.handle("whoami") { (_: JSONValue, context) -> JSONValue? in
            [
                "id": .string(context.connection.id), "user": context.connection.userID.map(JSONValue.string) ?? .null,
                "channels": .array(try await context.channels().map(JSONValue.string)),
                "probe": context.handshake.headers["x-probe"].map(JSONValue.string) ?? .null,
            ]
        }
        app.websocket.onConnect("welcome") { context in
            await lifecycle.connect(context.connection.id)
            try await context.websocket.send(event: "welcome", data: .null, to: context.connection.id)
        }
        app.websocket.onDisconnect("goodbye") { context, reason in
            await lifecycle.disconnect(context.connection.id, reason)
        }
        app.http.handle("notifyUser") { (input: HTTPInput<JSONValue>, context) -> JSONValue in
            let user = input.params["userId"]?.string ?? ""
            try await context.websocket.send(event: "notice", data: input.body, toUser: user)
            return ["connections": .integer(try await context.websocket.connections(ofUser: user).count)]
        }
        return app
    }

    @Test func askingTheClientGetsItsAnswerOrATimeout() async throws {
        let app = try Self.application()
        let service = app.websocketService
        _ = try await app.makeApplication().test(.live) { client in
            try await Conversation.run(port: try #require(client.port)) { conversation in
                try await conversation.send(#"{"event": "ask", "body": "sure?", "ack": 1}"#)
                let request = try await conversation.receive { $0["event"] == "confirm" }
                #expect(request["data"] == "sure?")
                let id = try #require(request["requestId"]?.string)
                try await conversation.send(#"{"event": "ws:ack", "requestId": "\#(id)", "body": "yes"}"#)
                #expect(try await conversation.answer(to: 1)["data"] == ["answer": "yes"])

                // No answer within connection.timeoutInMs: the handler gets a timeout error.
                try await conversation.send(#"{"event": "ask", "body": "still there?", "ack": 2}"#)
                let ignored = try await conversation.receive { $0["event"] == "confirm" }
                #expect(try await conversation.answer(to: 2)["data"] == ["error": "timeout"])
                // An answer that comes too late is refused, and nothing is left waiting.
                let late = try #require(ignored["requestId"]?.string)
                try await conversation.send(#"{"event": "ws:ack", "requestId": "\#(late)", "body": "yes", "ack": 3}"#)
                #expect(try await conversation.answer(to: 3)["status"] == 404)
                #expect(service.pending.count == 0)
            }
        }
    }

    @Test func aRequestToAClosingConnectionFailsAtOnce() async throws {
        let app = try Self.application()
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            try await Conversation.run(port: try #require(client.port)) { conversation in
                try await conversation.send(#"{"event": "ask", "body": "q", "ack": 1}"#)
                _ = try await conversation.receive { $0["event"] == "confirm" }
                try await conversation.outbound.close(.normalClosure, reason: nil)
                _ = try await conversation.drain()
            }
            // The wait ended with the connection, long before the 1,500 ms timeout had to.
            for _ in 0..<50 where service.pending.count > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(service.pending.count == 0)
            await #expect(throws: WebSocketError.unknownConnection("gone")) {
                try await service.request(event: "x", data: .null, to: "gone")
            }
        }
    }

    @Test func lifecycleHandlersSeeConnectAndDisconnectWithTheReason() async throws {
        let lifecycle = Lifecycle()
        let app = try Self.application(lifecycle)
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let ids = IDs()
            try await Conversation.run(port: port) { conversation in
                await ids.add(conversation.greeting["data"]?["connectionId"]?.string ?? "")
                _ = try await conversation.receive { $0["event"] == "welcome" }
            }
            let kicked = try await Conversation.run(port: port) { conversation in
                await ids.add(conversation.greeting["data"]?["connectionId"]?.string ?? "")
                try await conversation.send(#"{"event": "kick"}"#)
                _ = try await conversation.drain()
            }
            #expect(kicked == .unknown(4000))
            let (first, second) = (await ids.values[0], await ids.values[1])
            for _ in 0..<50 where await lifecycle.disconnected.count < 2 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await lifecycle.connected == [first, second])
            #expect(await lifecycle.disconnected[first]?.code == "client-closed")
            #expect(await lifecycle.disconnected[second] == DisconnectReason(code: "server-closed", closeCode: 4000))
        }
    }

    @Test func sendsToEveryConnectionOfAUserFromAnHTTPHandler() async throws {
        let app = try Self.application()
        let (u1, u2) = (try await HTTPFixture.token(user: "u1"), try await HTTPFixture.token(user: "u2"))
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let ready = IDs()
            let listen: @Sendable (String) async throws -> [JSONValue] = { token in
                let notices = Frames()
                try await Conversation.run(port: port, query: "?access_token=\(token)") { conversation in
                    await ready.add("")
                    while true {
                        let frame = try await conversation.receive { $0["event"] == "notice" }
                        if frame["data"] == "end" { break }
                        await notices.add(frame)
                    }
                }
                return await notices.values
            }
            async let tab1 = listen(u1)
            async let tab2 = listen(u1)
            async let other = listen(u2)
            for _ in 0..<100 where await ready.values.count < 3 { try await Task.sleep(for: .milliseconds(10)) }
            let json: HTTPFields = [.contentType: "application/json"]
            let response = try await client.execute(
                uri: "/notify/u1", method: .post, headers: json, body: .init(string: #""hello""#))
            #expect(String(buffer: response.body) == #"{"connections":2}"#)
            for user in ["u1", "u2"] {
                _ = try await client.execute(
                    uri: "/notify/\(user)", method: .post, headers: json, body: .init(string: #""end""#))
            }
            let (first, second, third) = try await (tab1, tab2, other)
            #expect(first.map { $0["data"] } == ["hello"])
            #expect(second.map { $0["data"] } == ["hello"])
            #expect(third.isEmpty)
        }
    }

    @Test func theContextCarriesTheConnectionItsHandshakeAndChannels() async throws {
        let app = try Self.application()
        let token = try await HTTPFixture.token(user: "u7")
        let service = app.websocketService
        _ = try await app.makeApplication().test(.live) { client in
            try await Conversation.run(
                port: try #require(client.port), query: "?access_token=\(token)", headers: ["X-Probe": "p1"]
            ) { conversation in
                try await conversation.send(#"{"event": "ws:join", "body": {"channel": "room:9"}, "ack": 1}"#)
                _ = try await conversation.answer(to: 1)
                try await conversation.send(#"{"event": "whoami", "ack": 2}"#)
                let me = try await conversation.answer(to: 2)["data"]
                let id = try #require(me?["id"]?.string)
                #expect(me?["user"] == "u7")
                #expect(me?["channels"] == ["room:9"])
                #expect(me?["probe"] == "p1")
                #expect(try await service.connection(id) == WebSocketConnection(id: id, userID: "u7"))
                #expect(try await service.connections(ofUser: "u7").map(\.id) == [id])
                #expect(try await service.connections(in: "room:9") == [id])
            }
        }
    }

    actor Frames {
        var values: [JSONValue] = []
        func add(_ frame: JSONValue) { values.append(frame) }
    }

    /// A logout: every session of the user ends, connected or not; nobody else's does.
    @Test func revokingAUsersSessionsClosesItsSocketsAndNoneCanBeRecovered() async throws {
        let zibri = try Self.application()
        let service = zibri.websocketService
        try await zibri.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let alice = try await HTTPFixture.token(user: "alice")
            let bob = try await HTTPFixture.token(user: "bob")
            // Alice's first tab goes away: its session waits to be recovered.
            let away = try await RawWebSocket.connect(port: port, path: "/ws?access_token=\(alice)") { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                try await socket.close()
                return greeting["data"]?["sessionToken"]?.string ?? ""
            }
            // The store keeps the token's digest, never the token.
            #expect(try await service.store.session(token: away) == nil)
            #expect(try await service.store.session(token: WebSocketRuntime.digest(away))?.userID == "alice")

            try await RawWebSocket.connect(port: port, path: "/ws?access_token=\(alice)") { aliceTab in
                _ = try await aliceTab.receive { $0["event"] == "ws:connected" }
                try await RawWebSocket.connect(port: port, path: "/ws?access_token=\(bob)") { bobTab in
                    _ = try await bobTab.receive { $0["event"] == "ws:connected" }
                    #expect(try await service.revokeSessions(ofUser: "alice").count == 2)
                    #expect(try await aliceTab.untilClose().last?.closeCode == 4401)
                    try await bobTab.send(text: #"{"event": "whoami", "ack": 1}"#)
                    #expect(try await bobTab.receive { $0["ack"] == 1 }["data"]?["user"] == "bob")
                }
            }
            // The tab that was away cannot come back with its token.
            let greeting = try await RawWebSocket.connect(
                port: port, path: "/ws?access_token=\(alice)&session=\(away)&lastSeq=0"
            ) { socket in try await socket.receive { $0["event"] == "ws:connected" } }
            #expect(greeting["data"]?["recovered"] == false)
            #expect(greeting["data"]?["reason"] == "unknown")
        }
    }

    actor IDs {
        var values: [String] = []
        func add(_ id: String) { values.append(id) }
    }
}
