import Foundation
import ZibriSchema

/// What a connection policy sees of a WebSocket handshake.
public struct Handshake: Sendable {
    public let headers: [String: String]
    public let query: [String: String]
    /// The authenticated user, or nil.
    public let user: User?
}
