import Foundation
import ZibriStorage

/// The store as the runtime uses it: every operation fails at once while `StoreHealthMonitor`
/// knows the store to be down (`storage-unavailable`), and gives up after `timeout`
/// (`storage-timeout`) instead of waiting for ever on a store that stopped answering. So a
/// handshake is refused 4503, a message answered 503 and `/ready` says 503 within a second of
/// an outage, rather than every client waiting on it.
///
/// A driver must let a cancelled operation end (PostgresNIO's pool and GRDB do): the time
/// limit cancels the operation, and it is over only once the driver lets go.
struct GuardedStore: ZibriStore {
    let base: any ZibriStore
    let monitor: StoreHealthMonitor
    let timeout: Duration

    private enum Outcome<Value: Sendable>: Sendable {
        case done(Value)
        case timedOut
    }

    private func guarded<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if case .unavailable(let reason) = monitor.status {
            throw StoreError(code: StoreError.unavailableCode, message: "the store is unavailable: \(reason)")
        }
        let timeout = self.timeout
        do {
            return try await withThrowingTaskGroup(of: Outcome<Value>.self) { group in
                group.addTask { .done(try await work()) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                }
                defer { group.cancelAll() }
                guard case .done(let value)? = try await group.next() else {
                    throw StoreError(
                        code: StoreError.timeoutCode,
                        message: "the store did not answer within \(timeout) (websocket.limits.storeTimeout)")
                }
                monitor.answered()
                return value
            }
        } catch {
            monitor.failed(error, probe: false)
            throw error
        }
    }

    func openSession(_ session: SessionRecord) async throws {
        try await guarded { try await base.openSession(session) }
    }

    func resumeSession(token: String, userID: String?, nodeID: String, at: Date) async throws -> SessionRecord? {
        try await guarded { try await base.resumeSession(token: token, userID: userID, nodeID: nodeID, at: at) }
    }

    func session(token: String) async throws -> SessionRecord? {
        try await guarded { try await base.session(token: token) }
    }

    func closeSession(connectionID: String, epoch: Int, at: Date, keep: Bool) async throws {
        try await guarded { try await base.closeSession(connectionID: connectionID, epoch: epoch, at: at, keep: keep) }
    }

    func closeSessions(ofNode nodeID: String, at: Date) async throws {
        try await guarded { try await base.closeSessions(ofNode: nodeID, at: at) }
    }

    func revokeSessions(ofUser userID: String) async throws -> [String] {
        try await guarded { try await base.revokeSessions(ofUser: userID) }
    }

    func connection(id: String) async throws -> ConnectionRecord? {
        try await guarded { try await base.connection(id: id) }
    }

    func connections(ofUser userID: String) async throws -> [ConnectionRecord] {
        try await guarded { try await base.connections(ofUser: userID) }
    }

    func connectionCount() async throws -> Int {
        try await guarded { try await base.connectionCount() }
    }

    func join(connectionID: String, channel: String, afterSeq: Int) async throws {
        try await guarded { try await base.join(connectionID: connectionID, channel: channel, afterSeq: afterSeq) }
    }

    func joinDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await guarded { try await base.joinDurably(userID: userID, channel: channel, afterSeq: afterSeq) }
    }

    func leaveDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await guarded { try await base.leaveDurably(userID: userID, channel: channel, afterSeq: afterSeq) }
    }

    func durableChannels(ofUser userID: String) async throws -> [String] {
        try await guarded { try await base.durableChannels(ofUser: userID) }
    }

    func leave(connectionID: String, channel: String, afterSeq: Int) async throws {
        try await guarded { try await base.leave(connectionID: connectionID, channel: channel, afterSeq: afterSeq) }
    }

    func channels(ofConnection id: String) async throws -> [String] {
        try await guarded { try await base.channels(ofConnection: id) }
    }

    func members(ofChannel channel: String) async throws -> [String] {
        try await guarded { try await base.members(ofChannel: channel) }
    }

    func append(_ entries: [LogEntry]) async throws -> [StoredMessage] {
        try await guarded { try await base.append(entries) }
    }

    func lastSeq() async throws -> Int {
        try await guarded { try await base.lastSeq() }
    }

    func messages(
        owedTo connectionID: String, userID: String?, after seq: Int, limit: Int
    ) async throws
        -> [StoredMessage]
    {
        try await guarded { try await base.messages(owedTo: connectionID, userID: userID, after: seq, limit: limit) }
    }

    func logEpoch() async throws -> String {
        try await guarded { try await base.logEpoch() }
    }

    func trimmedThrough() async throws -> Int {
        try await guarded { try await base.trimmedThrough() }
    }

    func trim(messagesBefore: Date, sessionsBefore: Date) async throws {
        try await guarded { try await base.trim(messagesBefore: messagesBefore, sessionsBefore: sessionsBefore) }
    }
}
