import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

/// Real WebSocket clients over loopback against a real port.
@Suite(.timeLimit(.minutes(1))) struct WebSocketRuntimeTests {
    static let spec = """
        zibri: "1"
        info: { title: Chat, version: "1" }
        storage: memory
        models:
          ChatMessage:
            properties:
              room: { type: string }
              message: { type: string, minLength: 1, maxLength: 20 }
        websocket:
          path: /ws
          channels:
            "room:{roomId}": { clientJoin: true }
            "private:{id}": {}
          routes:
            chat message: { handler: receiveChatMessage, body: ChatMessage }
            shout: { handler: shout, body: { type: string } }
            boom: { handler: boom }
            typed: { handler: typed, body: ChatMessage, response: ChatMessage }
            wrong: { handler: wrong, response: { type: integer } }
        """

    struct ChatMessage: Codable, Sendable {
        var room: String
        var message: String
    }

    struct Boom: Error {}

    static func application() throws -> ZibriApplication {
        var logger = Logger(label: "ws-test")
        logger.logLevel = .warning
        let app = try ZibriApplication(yaml: spec, environment: [:], logger: logger)
        app.websocket.handle("receiveChatMessage") { (message: ChatMessage, context) -> JSONValue? in
            try await context.websocket.send(
                event: "chat message", data: ["message": .string(message.message)], toChannel: "room:\(message.room)",
                from: context.connection)
            return ["stored": true]
        }
        app.websocket.handle("shout") { (text: String, context) -> JSONValue? in
            try await context.websocket.sendToAll(event: "shout", data: .string(text), from: context.connection)
            return nil
        }
        app.websocket.handle("boom") { (_: JSONValue, _) -> JSONValue? in throw Boom() }
        app.websocket.handle("typed") { (message: ChatMessage, _) -> ChatMessage? in
            ChatMessage(room: message.room, message: message.message.uppercased())
        }
        app.websocket.handle("wrong") { (_: JSONValue, _) -> String? in "not an integer" }
        return app
    }

    /// A scripted client: sends `script`'s frames one by one, collecting every text frame until
    /// `until` says it has seen enough.
    static func session(
        port: Int, send script: [String], until done: @escaping @Sendable ([JSONValue]) -> Bool
    ) async throws -> [JSONValue] {
        let received = Collected()
        _ = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws", logger: Logger(label: "client")) {
            inbound, outbound, _ in
            var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            // The greeting first, then one frame at a time.
            if case .text(let text)? = try await iterator.next() { await received.add(text) }
            for frame in script {
                try await outbound.write(.text(frame))
            }
            while !done(await received.values), case .text(let text)? = try await iterator.next() {
                await received.add(text)
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return await received.values
    }

    actor Collected {
        var values: [JSONValue] = []
        func add(_ text: String) {
            values.append((try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null)
        }
    }

    @Test func greetsValidatesRoutesAndAnswersAcks() async throws {
        let app = try await Self.application().makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let frames = try await Self.session(
                port: port,
                send: [
                    #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#,
                    #"{"event": "chat message", "body": {"room": "1", "message": "hi"}, "ack": 2}"#,
                    #"{"event": "chat message", "body": {"room": "1", "message": ""}, "ack": 3}"#,
                    #"{"event": "nope", "ack": "x"}"#,
                    #"{"event": "boom", "ack": 4}"#,
                    #"{"event": "chat message", "extra": 1, "ack": 5}"#,
                    #"{"event": "ws:join", "body": {"channel": "private:1"}, "ack": 6}"#,
                    #"not json"#,
                ],
                until: { $0.count >= 10 })
            #expect(frames.first?["event"] == "ws:connected")
            #expect(frames.first?["data"]?["recovered"] == false)
            #expect(frames.first?["data"]?["connectionId"]?.string?.isEmpty == false)
            let answers = frames.filter { $0["event"] == "ws:response" }
            func answer(_ ack: JSONValue) -> JSONValue? { answers.first { $0["ack"] == ack } }
            #expect(answer(1)?["ok"] == true)
            #expect(answer(2)?["data"] == ["stored": true])
            #expect(answer(3)?["status"] == 400)
            #expect(answer(3)?["error"]?["errors"]?[0]?["pointer"] == "/body/message")
            #expect(answer(.string("x"))?["status"] == 404)
            #expect(answer(.string("x"))?["error"]?["detail"] == "unknown event 'nope'")
            #expect(answer(4)?["status"] == 500)
            #expect(answer(5)?["status"] == 400)
            #expect(answer(6)?["status"] == 403)
            // Without an ack, a failure still answers, without an ack key.
            #expect(answers.contains { $0["ack"] == nil && $0["status"] == 400 })
            // The member of room:1 (this client) got the channel broadcast.
            let broadcast = frames.first { $0["event"] == "chat message" }
            #expect(broadcast?["channel"] == "room:1")
            #expect(broadcast?["data"]?["message"] == "hi")
            #expect(broadcast?["senderConnectionId"] == frames.first?["data"]?["connectionId"])
        }
    }

    @Test func typedAnswersAreEncodedAndCheckedAgainstTheResponse() async throws {
        let app = try await Self.application().makeApplication()
        _ = try await app.test(.live) { client in
            try await Conversation.run(port: try #require(client.port)) { conversation in
                try await conversation.send(#"{"event": "typed", "body": {"room": "1", "message": "hi"}, "ack": 1}"#)
                #expect(try await conversation.answer(to: 1)["data"] == ["room": "1", "message": "HI"])
                // The answer does not match the route's response: 500, and nothing of it leaks.
                try await conversation.send(#"{"event": "wrong", "ack": 2}"#)
                let answer = try await conversation.answer(to: 2)
                #expect(answer["status"] == 500)
                #expect(answer["data"] == nil)
                #expect(answer["error"]?["detail"] == "the handler's answer is not valid")
            }
        }
    }

    @Test func channelMessagesReachMembersOnly() async throws {
        let app = try await Self.application().makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (memberReady, outsiderReady) = (WebSocketPolicyTests.Flag(), WebSocketPolicyTests.Flag())
            // A member waits for the room's message and the shout; an outsider for the shout only.
            async let member = Conversation.run(port: port) { conversation in
                try await conversation.send(#"{"event": "ws:join", "body": {"channel": "room:7"}, "ack": 1}"#)
                _ = try await conversation.answer(to: 1)
                await memberReady.set()
                let message = try await conversation.receive { $0["event"] == "chat message" }
                #expect(message["data"]?["message"] == "to room 7")
                #expect(message["channel"] == "room:7")
                _ = try await conversation.receive { $0["event"] == "shout" }
            }
            async let outsider = Conversation.run(port: port) { conversation in
                await outsiderReady.set()
                let shout = try await conversation.receive { $0["event"] == "shout" }
                #expect(shout["data"] == "everyone")
                #expect(!conversation.seen.contains { $0["event"] == "chat message" })
            }
            try await memberReady.wait()
            try await outsiderReady.wait()
            try await Conversation.run(port: port) { conversation in
                try await conversation.send(
                    #"{"event": "chat message", "body": {"room": "7", "message": "to room 7"}, "ack": 1}"#)
                try await conversation.send(#"{"event": "shout", "body": "everyone", "ack": 2}"#)
                _ = try await conversation.answer(to: 2)
                #expect(!conversation.seen.contains { $0["event"] == "chat message" })  // not in room:7
            }
            _ = try await (member, outsider)
        }
    }
}
