public import Foundation
public import ZibriSchema
import ZibriValidation

/// The connection a WebSocket message came from.
public struct WebSocketConnection: Sendable, Hashable {
    public let id: String
    /// The authenticated user, or nil for an anonymous connection.
    public let userID: String?
}

/// What a WebSocket handler can use besides the message body.
public struct WebSocketContext: Sendable {
    public let connection: WebSocketConnection
    /// Sends to connections, users, channels or everyone; joins and leaves channels.
    public let websocket: WebSocketService
}

/// The WebSocket route handlers, registered by the spec's handler names before `run()`.
public final class WebSocketHandlers {
    typealias Erased = @Sendable (JSONValue, WebSocketContext) async throws -> JSONValue?

    private(set) var registrations: [String: Erased] = [:]

    /// One encoder for every answer.
    static let encoder = JSONEncoding.makeEncoder()

    init() {}

    /// Registers the closure for the spec's handler `name`. The message body is validated
    /// against the route's `body`, then decoded into `Body` (`JSONValue` for the dynamic
    /// value). A non-nil result is the answer's `data` (sent when the message carried `ack`).
    public func handle<Body: Decodable & Sendable, Output: Encodable & Sendable>(
        _ name: String, _ handler: @escaping @Sendable (Body, WebSocketContext) async throws -> Output?
    ) {
        registrations[name] = { body, context in
            let decoded: Body =
                Body.self == JSONValue.self ? body as! Body : try JSONValueDecoder().decode(Body.self, from: body)
            guard let output = try await handler(decoded, context) else { return nil }
            if let value = output as? JSONValue { return value }
            return try JSONParser().parse([UInt8](try Self.encoder.encode(output)))
        }
    }
}
