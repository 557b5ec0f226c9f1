/// A WebSocket operation that cannot be done, with a stable code: `unknown-connection`,
/// `connection-closed`, `timeout`, `unknown-channel`, `remote-connection`, `storage-failed`,
/// `shutting-down`, `volatile-too-large`.
public struct WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public var description: String { "\(message) [\(code)]" }

    static func unknownConnection(_ id: String) -> WebSocketError {
        WebSocketError(code: "unknown-connection", message: "no connection '\(id)'")
    }

    static func connectionClosed(_ id: String) -> WebSocketError {
        WebSocketError(code: "connection-closed", message: "connection '\(id)' closed before it answered")
    }
}
