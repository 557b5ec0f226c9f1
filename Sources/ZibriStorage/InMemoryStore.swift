public import Foundation

/// The reference store: everything in this process's memory (`storage: memory`).
public actor InMemoryStore: ZibriStore {

    private var sessions: [String: SessionRecord] = [:]  // by connection id
    private var tokens: [String: String] = [:]  // token → connection id
    private var memberships: [String: [String: Intervals]] = [:]  // connection → channel → intervals
    private var durable: [String: [String: Intervals]] = [:]  // user → channel → intervals
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
        memberships[connectionID, default: [:]][channel, default: Intervals()].join(after: afterSeq)
    }

    public func leave(connectionID: String, channel: String, afterSeq: Int) {
        memberships[connectionID]?[channel]?.leave(after: afterSeq)
    }

    private func isMember(_ connectionID: String, _ channel: String) -> Bool {
        memberships[connectionID]?[channel]?.isOpen == true
            || sessions[connectionID]?.userID.flatMap { durable[$0]?[channel]?.isOpen } == true
    }

    public func channels(ofConnection id: String) -> [String] {
        let own = (memberships[id] ?? [:]).filter(\.value.isOpen).keys
        let users = sessions[id]?.userID.map(durableChannels(ofUser:)) ?? []
        return Set(own).union(users).sorted()
    }

    public func members(ofChannel channel: String) -> [String] {
        connected.map(\.connectionID).filter { isMember($0, channel) }.sorted()
    }

    public func joinDurably(userID: String, channel: String, afterSeq: Int) {
        durable[userID, default: [:]][channel, default: Intervals()].join(after: afterSeq)
    }

    public func leaveDurably(userID: String, channel: String, afterSeq: Int) {
        durable[userID]?[channel]?.leave(after: afterSeq)
        for session in sessions.values where session.userID == userID {
            leave(connectionID: session.connectionID, channel: channel, afterSeq: afterSeq)
        }
    }

    public func durableChannels(ofUser userID: String) -> [String] {
        (durable[userID] ?? [:]).filter(\.value.isOpen).keys.sorted()
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
            return memberships[connectionID]?[channel]?.holds(message.seq) == true
                || userID.flatMap { durable[$0]?[channel]?.holds(message.seq) } == true
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
        for (user, channels) in durable {
            for (channel, intervals) in channels { durable[user]?[channel] = intervals.trimmed(through: trimmed) }
            durable[user] = durable[user]?.filter { !$0.value.isEmpty }
            if durable[user]?.isEmpty == true { durable.removeValue(forKey: user) }
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
