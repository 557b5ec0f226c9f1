// The WebSocket benchmark's two servers, the same job each: (a) validate a ChatMessage and
// answer its ack with it; (b) join a channel, and broadcast a message to the channel's members.
//   zibri:    a Zibri spec route and channel, served by the runtime (storage: memory, unless
//             ZIBRI_STORAGE_URL says otherwise)
//   baseline: the same by hand on plain HummingbirdWebSocket with Codable
// Usage: WebSocketBenchmarkServer zibri|baseline PORT
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Zibri
import ZibriSchema

let spec = """
    zibri: "1"
    info: { title: WebSocket benchmark, version: "1" }
    storage: memory
    models:
      ChatMessage:
        properties:
          room: { type: string, minLength: 1, maxLength: 64 }
          message: { type: string, minLength: 1, maxLength: 2000 }
    websocket:
      path: /ws
      limits: { messagesPerSecond: 1000000, maxConnections: 5000, outboundQueueSize: 4096 }
      recovery: { maxReplay: 10000 }
      channels:
        "room:{roomId}": { clientJoin: true }
      routes:
        chat message: { handler: receiveChatMessage, body: ChatMessage }
        broadcast: { handler: broadcast, body: { type: string } }
    """

struct ChatMessage: Codable, Sendable {
    var room: String
    var message: String
}

@main
struct WebSocketBenchmarkServer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[2]) else {
            print("usage: WebSocketBenchmarkServer zibri|baseline PORT")
            exit(2)
        }
        var logger = Logger(label: "ws-benchmark")
        logger.logLevel = .error
        switch arguments[1] {
        case "zibri":
            let app = try ZibriApplication(
                yaml: spec,
                environment: ProcessInfo.processInfo.environment.filter {
                    ["ZIBRI_STORAGE_URL", "ZIBRI_NODE_ID"].contains($0.key)
                },
                logger: logger)
            app.host = "127.0.0.1"
            app.port = port
            app.websocket.handle("receiveChatMessage") { (message: ChatMessage, _) -> ChatMessage? in message }
            app.websocket.handle("broadcast") { (text: String, context) -> JSONValue? in
                try await context.websocket.send(event: "tick", data: .string(text), toChannel: "room:bench")
                return nil
            }
            try await app.run()
        default:
            try await Baseline.run(port: port, logger: logger)
        }
    }
}

/// The hand-written server.
enum Baseline {
    struct Incoming: Decodable {
        var event: String
        var body: Body?
        var ack: Int?
    }

    /// Every body the two events take, decoded by Codable.
    enum Body: Decodable {
        case message(ChatMessage)
        case channel(String)
        case text(String)

        init(from decoder: any Decoder) throws {
            if let message = try? ChatMessage(from: decoder) {
                self = .message(message)
            } else if let join = try? Join(from: decoder) {
                self = .channel(join.channel)
            } else {
                self = .text(try decoder.singleValueContainer().decode(String.self))
            }
        }
    }

    struct Join: Decodable { var channel: String }

    struct Answer<Data: Encodable>: Encodable {
        var event = "ws:response"
        var ack: Int?
        var ok = true
        var status = 200
        var data: Data?
    }

    struct Tick: Encodable {
        var event = "tick"
        var ok = true
        var status = 200
        var channel: String
        var data: String
    }

    /// Channel members: connection id → its writer.
    final class Channels: @unchecked Sendable {
        private let lock = NSLock()
        private var members: [String: [UUID: WebSocketOutboundWriter]] = [:]
        func join(_ channel: String, _ id: UUID, _ writer: WebSocketOutboundWriter) {
            lock.withLock { members[channel, default: [:]][id] = writer }
        }
        func leaveAll(_ id: UUID) {
            lock.withLock { for key in members.keys { members[key]?.removeValue(forKey: id) } }
        }
        func writers(_ channel: String) -> [WebSocketOutboundWriter] {
            lock.withLock { Array(members[channel, default: [:]].values) }
        }
    }

    static func run(port: Int, logger: Logger) async throws {
        let channels = Channels()
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(configuration: .init()) { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in
                    let id = UUID()
                    defer { channels.leaveAll(id) }
                    let decoder = JSONDecoder()
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .sortedKeys
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        guard case .text(let text) = message,
                            let incoming = try? decoder.decode(Incoming.self, from: Data(text.utf8))
                        else { continue }
                        switch (incoming.event, incoming.body) {
                        case ("chat message", .message(let chat))
                        where (1...64).contains(chat.room.count) && (1...2000).contains(chat.message.count):
                            let answer = Answer(ack: incoming.ack, data: chat)
                            try await outbound.write(.text(String(decoding: try encoder.encode(answer), as: UTF8.self)))
                        case ("ws:join", .channel(let channel)):
                            channels.join(channel, id, outbound)
                            let answer = Answer<String>(ack: incoming.ack)
                            try await outbound.write(.text(String(decoding: try encoder.encode(answer), as: UTF8.self)))
                        case ("broadcast", .text(let text)):
                            let frame = String(
                                decoding: try encoder.encode(Tick(channel: "room:bench", data: text)), as: UTF8.self)
                            for writer in channels.writers("room:bench") {
                                try? await writer.write(.text(frame))
                            }
                            if incoming.ack != nil {
                                let answer = Answer<String>(ack: incoming.ack)
                                try await outbound.write(
                                    .text(String(decoding: try encoder.encode(answer), as: UTF8.self)))
                            }
                        default:
                            let answer = Answer<String>(ack: incoming.ack, ok: false, status: 400)
                            try await outbound.write(.text(String(decoding: try encoder.encode(answer), as: UTF8.self)))
                        }
                    }
                }
            },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
            logger: logger
        )
        try await app.runService()
    }
}
