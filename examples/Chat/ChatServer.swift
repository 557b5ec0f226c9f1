// `swift run chat`: the chat of chat.zibri.yaml on http://127.0.0.1:8080, with its page
// (public/index.html, on the JavaScript client clients/javascript/zibri.js) and the embedded
// SQLite store (chat.sqlite in the working directory). ZIBRI_PORT and ZIBRI_STORAGE_URL work as
// for every Zibri server; CHAT_JWT_SECRET signs the optional tokens (a development secret
// otherwise). The models (`ChatMessage`, `PostedMessage`, ...) and `app.handlers` are generated
// from the spec at build time by the ZibriGenerator plugin: nothing here repeats the spec.
import Foundation
import Zibri
import ZibriSchema

@main
struct ChatServer {
    /// This file's folder: the spec and the page are next to it.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let rooms = [
        Room(id: "lobby", title: "Lobby"), Room(id: "random", title: "Random"), Room(id: "help", title: "Help"),
    ]

    static func main() async {
        // A wrong spec, setting or database file: one line saying what, and exit status 1.
        await ZibriApplication.runProgram("chat") { try await serve() }
    }

    static func serve() async throws {
        var environment = ProcessInfo.processInfo.environment
        if environment["CHAT_JWT_SECRET"] == nil {
            environment["CHAT_JWT_SECRET"] = "zibri-chat-development-secret-not-for-production"
        }
        let app = try ZibriApplication(
            spec: folder.appendingPathComponent("chat.zibri.yaml").path, environment: environment)
        app.serveFiles(from: folder.appendingPathComponent("public").path)
        app.serveFiles(
            from: folder.appendingPathComponent("../../clients/javascript").standardized.path, at: "/js")

        app.handlers.listRooms { _, _ in RoomList(rooms: rooms) }

        // A message posted over HTTP reaches the room's WebSocket members like any other.
        app.handlers.postMessage { input, context in
            let room = input.params.roomId
            let posted = PostedMessage(
                room: room, message: input.body.message, author: input.user?.id ?? "guest", at: Date())
            try await context.websocket.send(
                event: "chat message", data: try JSONValue(encoding: posted), toChannel: "room:\(room)")
            return posted
        }

        // Only a member of the room may speak in it; everyone in it hears the message (logged,
        // so a member who was away gets it on recovery), and the sender's ack carries it.
        app.handlers.receiveChatMessage { said, context in
            let channel = "room:\(said.room)"
            guard try await context.channels().contains(channel) else {
                throw ZibriHTTPError(
                    status: 403, title: "Forbidden", detail: "join \(channel) before you speak in it")
            }
            let posted = PostedMessage(
                room: said.room, message: said.message, author: context.connection.userID ?? "guest", at: Date())
            try await context.websocket.send(
                event: "chat message", data: try JSONValue(encoding: posted), toChannel: channel,
                from: context.connection)
            return posted
        }

        // Typing indicators are volatile: not logged, never replayed, not sent back to the typist.
        app.handlers.typing { typing, context in
            let channel = "room:\(typing.room)"
            guard try await context.channels().contains(channel) else { return }
            try await context.websocket.send(
                event: "typing", data: ["room": .string(typing.room), "author": .string(context.connection.userID ?? "guest")],
                toChannel: channel, from: context.connection, excludingSender: true, persist: false)
        }

        app.onListening = { port in
            // Written at once, not through print's buffer, for whoever reads the port from a pipe.
            FileHandle.standardOutput.write(
                Data("Zibri chat: open http://127.0.0.1:\(port)/ in two browser windows\n".utf8))
        }
        try await app.run()
    }
}
