import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOWebSocket
import ZibriSchema

/// A client a test drives step by step: send a frame, wait for the frame it expects (frames
/// that do not match are kept in `seen`), and finally read until the server closes.
struct Conversation {
    let outbound: WebSocketOutboundWriter
    private var messages: WebSocketInboundMessageStream.AsyncIterator
    private(set) var seen: [JSONValue] = []
    /// The `ws:connected` greeting.
    private(set) var greeting: JSONValue = .null

    struct Ended: Error {
        let seen: [JSONValue]
    }

    /// Connects to `/ws` (with `query`), reads the greeting (unless `greeting` is false) and runs
    /// `body`; returns the close code the client saw. HummingbirdWSClient can lose a frame that
    /// arrives while it is still processing the upgrade (docs/protocol.md): tests that do not
    /// need the greeting do not wait for it.
    @discardableResult
    static func run(
        port: Int, query: String = "", headers: [String: String] = [:], greeting: Bool = true,
        _ body: @escaping @Sendable (inout Conversation) async throws -> Void
    ) async throws -> WebSocketErrorCode? {
        var configuration = WebSocketClientConfiguration()
        for (name, value) in headers { configuration.additionalHeaders[HTTPField.Name(name)!] = value }
        let close = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/ws\(query)", configuration: configuration, logger: Logger(label: "client")
        ) { inbound, outbound, _ in
            var conversation = Conversation(
                outbound: outbound, messages: inbound.messages(maxSize: 1 << 22).makeAsyncIterator())
            if greeting { conversation.greeting = try await conversation.receive { _ in true } }
            try await body(&conversation)
        }
        return close?.closeCode
    }

    mutating func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// The first frame that matches: one skipped earlier, or the next to come (skipping, and
    /// keeping, the others).
    mutating func receive(_ matches: (JSONValue) -> Bool) async throws -> JSONValue {
        if let index = seen.firstIndex(where: matches) { return seen.remove(at: index) }
        while let message = try await messages.next() {
            guard case .text(let text) = message else { continue }
            let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
            if matches(value) { return value }
            seen.append(value)
        }
        throw Ended(seen: seen)
    }

    /// The answer to the message with this ack.
    mutating func answer(to ack: Int) async throws -> JSONValue {
        try await receive { $0["event"] == "ws:response" && $0["ack"] == .integer(ack) }
    }

    /// Every frame until the server closes the connection.
    mutating func drain() async throws -> [JSONValue] {
        do {
            _ = try await receive { _ in false }
        } catch is Ended {}
        return seen
    }
}
