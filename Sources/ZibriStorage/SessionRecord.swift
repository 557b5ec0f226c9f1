public import Foundation

/// A recovery session: a connection's identity across reconnects, named to the client by an
/// opaque token. It outlives the socket by the recovery window.
public struct SessionRecord: Sendable, Hashable {
    public let token: String
    public let connectionID: String
    public let userID: String?
    public var nodeID: String
    /// Counts the sockets that have carried the session; closing with an older epoch does
    /// nothing (the session moved to a newer socket).
    public var epoch: Int
    public var connectedAt: Date
    /// When the last socket closed; nil while one is open.
    public var disconnectedAt: Date?

    public init(
        token: String, connectionID: String, userID: String?, nodeID: String, epoch: Int = 1,
        connectedAt: Date = Date(), disconnectedAt: Date? = nil
    ) {
        self.token = token
        self.connectionID = connectionID
        self.userID = userID
        self.nodeID = nodeID
        self.epoch = epoch
        self.connectedAt = connectedAt
        self.disconnectedAt = disconnectedAt
    }

    public var connection: ConnectionRecord {
        ConnectionRecord(id: connectionID, userID: userID, nodeID: nodeID, connectedAt: connectedAt)
    }
}
