import Foundation
import Logging
import ZibriSchema
import ZibriValidation

/// The WebSocket route handlers, registered by the spec's handler names before `run()`.
public final class WebSocketHandlers {
    typealias Erased = @Sendable (JSONValue, WebSocketContext) async throws -> AnswerData?
    typealias ConnectHandler = @Sendable (WebSocketContext) async throws -> Void
    typealias DisconnectHandler = @Sendable (WebSocketContext, DisconnectReason) async throws -> Void

    private(set) var registrations: [String: Erased] = [:]
    private(set) var connectHandlers: [String: ConnectHandler] = [:]
    private(set) var disconnectHandlers: [String: DisconnectHandler] = [:]

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
            if let value = output as? JSONValue { return .value(value) }
            // Encoded once, straight into the answer frame (no JSON value in between).
            return .encoded(try StreamingJSONEncoder().encode(output))
        }
    }

    /// Registers the handler the spec names in `lifecycle.onConnect`: called once a connection
    /// is accepted and greeted, before its first message is read.
    public func onConnect(_ name: String, _ handler: @escaping @Sendable (WebSocketContext) async throws -> Void) {
        connectHandlers[name] = handler
    }

    /// Registers the handler the spec names in `lifecycle.onDisconnect`: called once the
    /// connection has closed and left its channels, with the reason.
    public func onDisconnect(
        _ name: String, _ handler: @escaping @Sendable (WebSocketContext, DisconnectReason) async throws -> Void
    ) {
        disconnectHandlers[name] = handler
    }
}
