public import Foundation
public import ZibriSchema

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

/// Whom a logged message was sent to.
public enum Recipient: Sendable, Hashable {
    case connection(String)
    case user(String)
    case channel(String)
    case all

    /// The stored form: kind and id.
    public var kind: String {
        switch self {
        case .connection: "connection"
        case .user: "user"
        case .channel: "channel"
        case .all: "all"
        }
    }

    public var id: String? {
        switch self {
        case .connection(let id), .user(let id), .channel(let id): id
        case .all: nil
        }
    }

    public init?(kind: String, id: String?) {
        switch (kind, id) {
        case ("connection", let id?): self = .connection(id)
        case ("user", let id?): self = .user(id)
        case ("channel", let id?): self = .channel(id)
        case ("all", _): self = .all
        default: return nil
        }
    }
}

/// A message to log: everything but its `seq`, which the store assigns.
public struct LogEntry: Sendable, Hashable {
    public let recipient: Recipient
    public let event: String
    public let data: JSONValue
    public let senderUserID: String?
    public let senderConnectionID: String?
    /// A channel message not sent to its sender (and not owed to it on recovery).
    public let excludedConnectionID: String?
    public let at: Date

    public init(
        recipient: Recipient, event: String, data: JSONValue, senderUserID: String? = nil,
        senderConnectionID: String? = nil, excludedConnectionID: String? = nil, at: Date = Date()
    ) {
        self.recipient = recipient
        self.event = event
        self.data = data
        self.senderUserID = senderUserID
        self.senderConnectionID = senderConnectionID
        self.excludedConnectionID = excludedConnectionID
        self.at = at
    }
}

/// A logged message with its place in the one sequence of the log.
public struct StoredMessage: Sendable, Hashable {
    public let seq: Int
    public let entry: LogEntry

    public init(seq: Int, entry: LogEntry) {
        self.seq = seq
        self.entry = entry
    }
}

/// A store operation that cannot be done, with a stable code.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    package static func unknownConnection(_ id: String) -> StoreError {
        StoreError(code: "unknown-connection", message: "no connection '\(id)'")
    }
}
