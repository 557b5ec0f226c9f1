import ZibriSchema

/// A client frame, read by the wire protocol's rules (docs/protocol.md):
/// `{"event": "chat message", "body": {...}, "ack": 7}`; `body` and `ack` are optional, and a
/// client answering the server sends `{"event": "ws:ack", "requestId": "r1", "body": ...}`.
struct ClientFrame: Sendable, Equatable {
    let event: String
    /// The body; `null` when absent.
    let body: JSONValue
    let ack: Ack?
    /// Only on `ws:ack`: the server request it answers.
    let requestId: String?

    /// A frame that breaks the protocol: answered with status 400 (and the `ack`, if one could
    /// be read, so the client can match the answer).
    struct Rejection: Error, Equatable {
        let detail: String
        let ack: Ack?
    }

    static let keys: Set<String> = ["event", "body", "ack", "requestId"]

    static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(Rejection) -> ClientFrame {
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: maxDepth).parse(bytes)
        } catch {
            throw Rejection(detail: "the frame is not valid JSON: \(error)", ack: nil)
        }
        return try read(value)
    }

    static func read(_ value: JSONValue) throws(Rejection) -> ClientFrame {
        guard case .object(let members) = value else {
            throw Rejection(detail: "a frame must be a JSON object with an 'event'", ack: nil)
        }
        var ack: Ack?
        switch members["ack"] {
        case nil, .null?: break
        case .integer(let number)?: ack = .integer(number)
        case .string(let text)?: ack = .string(text)
        case .number(let number)? where number.rounded() == number && abs(number) < 9e15: ack = .integer(Int(number))
        default: throw Rejection(detail: "'ack' must be an integer or a string", ack: nil)
        }
        if let unknown = members.keys.sorted().first(where: { !keys.contains($0) }) {
            throw Rejection(
                detail: "unknown top-level key '\(unknown.prefix(40))'; a frame has event, body and ack", ack: ack)
        }
        guard case .string(let event)? = members["event"], !event.isEmpty else {
            throw Rejection(detail: "'event' must be a non-empty string", ack: ack)
        }
        var requestId: String?
        if let id = members["requestId"] {
            guard event == "ws:ack" else {
                throw Rejection(detail: "'requestId' belongs only to ws:ack frames", ack: ack)
            }
            guard case .string(let text) = id else { throw Rejection(detail: "'requestId' must be a string", ack: ack) }
            requestId = text
        } else if event == "ws:ack" {
            throw Rejection(detail: "a ws:ack frame needs the 'requestId' it answers", ack: ack)
        }
        return ClientFrame(event: event, body: members["body"] ?? .null, ack: ack, requestId: requestId)
    }
}
