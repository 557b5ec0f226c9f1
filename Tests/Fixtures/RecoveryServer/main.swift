// A Zibri server for the restart test: the test starts it as a child process on a SQLite file,
// kills it with SIGKILL and starts it again. Storage and port come from ZIBRI_STORAGE_URL and
// ZIBRI_PORT, the JWT secret from RECOVERY_JWT_SECRET; it prints "listening PORT" once it serves.
import Foundation
import Zibri
import ZibriSchema

let spec = """
    zibri: "1"
    info: { title: Restart, version: "1" }
    auth: { jwt: { secretEnv: RECOVERY_JWT_SECRET } }
    websocket:
      path: /ws
      connection: { auth: optional }
      limits: { messagesPerSecond: 100000 }
      channels:
        "room:{roomId}": { clientJoin: true }
        "team:{teamId}": { clientJoin: true, durable: true }
      routes:
        say: { handler: say, body: { type: integer } }
        tell: { handler: tell, body: { type: integer } }
    """

@main
struct RecoveryServer {
    static func main() async throws {
        let app = try ZibriApplication(yaml: spec)
        app.websocket.handle("say") { (number: Int, context) -> JSONValue? in
            try await context.websocket.send(
                event: "said", data: .integer(number), toChannel: "room:1", from: context.connection)
            return .integer(number)
        }
        app.websocket.handle("tell") { (number: Int, context) -> JSONValue? in
            try await context.websocket.send(event: "told", data: .integer(number), toChannel: "team:1")
            return .integer(number)
        }
        app.onListening = { port in
            FileHandle.standardOutput.write(Data("listening \(port)\n".utf8))
        }
        try await app.run()
    }
}
