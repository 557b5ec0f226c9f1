public import Foundation

/// A live WebSocket connection as the store knows it.
public struct ConnectionRecord: Sendable, Hashable {
    public let id: String
    /// The authenticated user, or nil for an anonymous connection.
    public let userID: String?
    /// The server node that holds the socket (several nodes share one store in a cluster).
    public let nodeID: String
    public let connectedAt: Date

    public init(id: String, userID: String?, nodeID: String, connectedAt: Date = Date()) {
        self.id = id
        self.userID = userID
        self.nodeID = nodeID
        self.connectedAt = connectedAt
    }
}
