public import Foundation

/// The reference store: everything in this process's memory (`storage: memory`).
public actor InMemoryStore: ZibriStore {
    struct Membership {
        var joinedAfter: Int
        var leftAfter: Int?
    }

    private var sessions: [String: SessionRecord] = [:]  // by connection id
    private var tokens: [String: String] = [:]  // token → connection id
    private var memberships: [String: [String: [Membership]]] = [:]  // connection → channel → intervals
    private var durable: [String: Set<String>] = [:]  // user → channels
    private var log: [StoredMessage] = []
    private var nextSeq = 1
    private var trimmed = 0
    private let epoch = LogEpoch.text(LogEpoch.random())

    public init() {}

    public func openSession(_ session: SessionRecord) {
        sessions[session.connectionID] = session
        tokens[session.token] = session.connectionID
    }

    public func resumeSession(token: String, userID: String?, nodeID: String, at: Date) -> SessionRecord? {
        guard let id = tokens[token], var session = sessions[id], session.userID == userID else { return nil }
        session.epoch += 1
        session.nodeID = nodeID
        session.connectedAt = at
        session.disconnectedAt = nil
        sessions[id] = session
        return session
    }

    public func session(token: String) -> SessionRecord? {
        tokens[token].flatMap { sessions[$0] }
    }

    public func closeSession(connectionID: String, epoch: Int, at: Date, keep: Bool) {
        guard var session = sessions[connectionID], session.epoch == epoch else { return }
        if keep {
            session.disconnectedAt = at
            sessions[connectionID] = session
        } else {
            remove(connectionID)
        }
    }

    public func closeSessions(ofNode nodeID: String, at: Date) {
        for (id, session) in sessions where session.nodeID == nodeID && session.disconnectedAt == nil {
            sessions[id]?.disconnectedAt = at
        }
    }

    public func revokeSessions(ofUser userID: String) -> [String] {
        let ids = sessions.values.filter { $0.userID == userID }.map(\.connectionID).sorted()
        for id in ids { remove(id) }
        return ids
    }

    private func remove(_ connectionID: String) {
        if let token = sessions.removeValue(forKey: connectionID)?.token { tokens.removeValue(forKey: token) }
        memberships.removeValue(forKey: connectionID)
    }

    private var connected: [SessionRecord] {
        sessions.values.filter { $0.disconnectedAt == nil }
    }

    public func connection(id: String) -> ConnectionRecord? {
        sessions[id].flatMap { $0.disconnectedAt == nil ? $0.connection : nil }
    }

    public func connections(ofUser userID: String) -> [ConnectionRecord] {
        connected.filter { $0.userID == userID }.map(\.connection).sorted { $0.id < $1.id }
    }

    public func connectionCount() -> Int {
        connected.count
    }

    public func join(connectionID: String, channel: String, afterSeq: Int) throws {
        guard sessions[connectionID] != nil else { throw StoreError.unknownConnection(connectionID) }
        var intervals = memberships[connectionID, default: [:]][channel, default: []]
        guard intervals.last.map({ $0.leftAfter != nil }) ?? true else { return }
        intervals.append(Membership(joinedAfter: afterSeq, leftAfter: nil))
        memberships[connectionID, default: [:]][channel] = intervals
    }

    public func join(connectionID: String, channels: [String], afterSeq: Int) throws {
        guard sessions[connectionID] != nil else { throw StoreError.unknownConnection(connectionID) }
        for channel in channels { try join(connectionID: connectionID, channel: channel, afterSeq: afterSeq) }
    }

    public func leave(connectionID: String, channel: String, afterSeq: Int) {
        guard var intervals = memberships[connectionID]?[channel], intervals.last?.leftAfter == nil,
            !intervals.isEmpty
        else { return }
        intervals[intervals.count - 1].leftAfter = afterSeq
        memberships[connectionID]?[channel] = intervals
    }

    private func isMember(_ connectionID: String, _ channel: String) -> Bool {
        memberships[connectionID]?[channel]?.last.map { $0.leftAfter == nil } ?? false
    }

    public func channels(ofConnection id: String) -> [String] {
        (memberships[id] ?? [:]).keys.filter { isMember(id, $0) }.sorted()
    }

    public func members(ofChannel channel: String) -> [String] {
        connected.map(\.connectionID).filter { isMember($0, channel) }.sorted()
    }

    public func joinDurably(userID: String, channel: String, afterSeq: Int, nodeID: String) throws {
        durable[userID, default: []].insert(channel)
        for session in sessions.values
        where session.userID == userID && (session.disconnectedAt != nil || session.nodeID == nodeID) {
            try join(connectionID: session.connectionID, channel: channel, afterSeq: afterSeq)
        }
    }

    public func leaveDurably(userID: String, channel: String, afterSeq: Int) {
        durable[userID]?.remove(channel)
        if durable[userID]?.isEmpty == true { durable.removeValue(forKey: userID) }
        for session in sessions.values where session.userID == userID {
            leave(connectionID: session.connectionID, channel: channel, afterSeq: afterSeq)
        }
    }

    public func durableChannels(ofUser userID: String) -> [String] {
        (durable[userID] ?? []).sorted()
    }

    public func append(_ entries: [LogEntry]) -> [StoredMessage] {
        let stored = entries.map { entry in
            defer { nextSeq += 1 }
            return StoredMessage(seq: nextSeq, entry: entry)
        }
        log += stored
        return stored
    }

    public func lastSeq() -> Int {
        nextSeq - 1
    }

    public func messages(owedTo connectionID: String, userID: String?, after seq: Int, limit: Int) -> [StoredMessage] {
        let start = log.partitioningIndex { $0.seq > seq }
        var owed: [StoredMessage] = []
        for message in log[start...] where owes(message, to: connectionID, userID: userID) {
            guard owed.count < limit else { break }
            owed.append(message)
        }
        return owed
    }

    private func owes(_ message: StoredMessage, to connectionID: String, userID: String?) -> Bool {
        if message.entry.excludedConnectionID == connectionID { return false }
        switch message.entry.recipient {
        case .all: return true
        case .connection(let id): return id == connectionID
        case .user(let id): return id == userID
        case .channel(let channel):
            return (memberships[connectionID]?[channel] ?? []).contains {
                $0.joinedAfter < message.seq && ($0.leftAfter.map { message.seq <= $0 } ?? true)
            }
        }
    }

    public func logEpoch() -> String {
        epoch
    }

    public func trimmedThrough() -> Int {
        trimmed
    }

    public func trim(messagesBefore: Date, sessionsBefore: Date) {
        let keep = log.firstIndex { $0.entry.at >= messagesBefore } ?? log.endIndex
        if keep > 0 { trimmed = max(trimmed, log[keep - 1].seq) }
        log.removeFirst(keep)
        for session in sessions.values {
            if let disconnected = session.disconnectedAt, disconnected < sessionsBefore { remove(session.connectionID) }
        }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then
    /// true along the array (a binary search).
    fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
