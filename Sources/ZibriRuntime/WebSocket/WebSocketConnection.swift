/// The connection a WebSocket message came from.
public struct WebSocketConnection: Sendable, Hashable {
    public let id: String
    /// The authenticated user, or nil for an anonymous connection.
    public let userID: String?
}
