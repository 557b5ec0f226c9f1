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

/// A store operation that cannot be done, with a stable code.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    static func unknownConnection(_ id: String) -> StoreError {
        StoreError(code: "unknown-connection", message: "no connection '\(id)'")
    }
}

/// Where the live state of the WebSocket side is kept: connections and channel memberships.
/// The in-memory store is the reference; the SQLite and PostgreSQL drivers pass the same
/// conformance suite (`StoreConformanceSuite` in ZibriTesting).
///
/// Contract: lists come back sorted; `join` and `leave` are idempotent; `join` of an unknown
/// connection throws `unknown-connection`; removing a connection removes its memberships.
public protocol ZibriStore: Sendable {
    func addConnection(_ connection: ConnectionRecord) async throws
    /// Removes the connection and every membership it had. Unknown ids are ignored.
    func removeConnection(id: String) async throws
    func connection(id: String) async throws -> ConnectionRecord?
    /// The user's connections, sorted by id.
    func connections(ofUser userID: String) async throws -> [ConnectionRecord]
    func connectionCount() async throws -> Int
    func join(connectionID: String, channel: String) async throws
    func leave(connectionID: String, channel: String) async throws
    /// The channels of a connection, sorted.
    func channels(ofConnection id: String) async throws -> [String]
    /// The connection ids in a channel, sorted.
    func members(ofChannel channel: String) async throws -> [String]
}

/// The reference store: everything in this process's memory (`storage: memory`).
public actor InMemoryStore: ZibriStore {
    private var connections: [String: ConnectionRecord] = [:]
    private var channelsByConnection: [String: Set<String>] = [:]
    private var membersByChannel: [String: Set<String>] = [:]

    public init() {}

    public func addConnection(_ connection: ConnectionRecord) {
        connections[connection.id] = connection
    }

    public func removeConnection(id: String) {
        connections.removeValue(forKey: id)
        for channel in channelsByConnection.removeValue(forKey: id) ?? [] {
            membersByChannel[channel]?.remove(id)
            if membersByChannel[channel]?.isEmpty == true { membersByChannel.removeValue(forKey: channel) }
        }
    }

    public func connection(id: String) -> ConnectionRecord? {
        connections[id]
    }

    public func connections(ofUser userID: String) -> [ConnectionRecord] {
        connections.values.filter { $0.userID == userID }.sorted { $0.id < $1.id }
    }

    public func connectionCount() -> Int {
        connections.count
    }

    public func join(connectionID: String, channel: String) throws {
        guard connections[connectionID] != nil else { throw StoreError.unknownConnection(connectionID) }
        channelsByConnection[connectionID, default: []].insert(channel)
        membersByChannel[channel, default: []].insert(connectionID)
    }

    public func leave(connectionID: String, channel: String) {
        channelsByConnection[connectionID]?.remove(channel)
        membersByChannel[channel]?.remove(connectionID)
        if membersByChannel[channel]?.isEmpty == true { membersByChannel.removeValue(forKey: channel) }
    }

    public func channels(ofConnection id: String) -> [String] {
        (channelsByConnection[id] ?? []).sorted()
    }

    public func members(ofChannel channel: String) -> [String] {
        (membersByChannel[channel] ?? []).sorted()
    }
}
