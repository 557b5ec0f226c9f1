import Foundation
import ZibriStorage

/// A test store that forwards every operation to an in-memory store; a conforming type
/// implements only the operations it watches or changes.
protocol ForwardingStore: ZibriStore {
    var base: InMemoryStore { get }
}

extension ForwardingStore {
    func openSession(_ session: SessionRecord) async throws { await base.openSession(session) }
    func resumeSession(token: String, userID: String?, nodeID: String, at: Date) async throws -> SessionRecord? {
        await base.resumeSession(token: token, userID: userID, nodeID: nodeID, at: at)
    }
    func session(token: String) async throws -> SessionRecord? { await base.session(token: token) }
    func closeSession(connectionID: String, epoch: Int, at: Date, keep: Bool) async throws {
        await base.closeSession(connectionID: connectionID, epoch: epoch, at: at, keep: keep)
    }
    func closeSessions(ofNode nodeID: String, at: Date) async throws {
        await base.closeSessions(ofNode: nodeID, at: at)
    }
    func revokeSessions(ofUser userID: String) async throws -> [String] { await base.revokeSessions(ofUser: userID) }
    func connection(id: String) async throws -> ConnectionRecord? { await base.connection(id: id) }
    func connections(ofUser userID: String) async throws -> [ConnectionRecord] {
        await base.connections(ofUser: userID)
    }
    func connectionCount() async throws -> Int { await base.connectionCount() }
    func join(connectionID: String, channel: String, afterSeq: Int) async throws {
        try await base.join(connectionID: connectionID, channel: channel, afterSeq: afterSeq)
    }
    func joinDurably(userID: String, channel: String, afterSeq: Int) async throws {
        await base.joinDurably(userID: userID, channel: channel, afterSeq: afterSeq)
    }
    func leaveDurably(userID: String, channel: String, afterSeq: Int) async throws {
        await base.leaveDurably(userID: userID, channel: channel, afterSeq: afterSeq)
    }
    func durableChannels(ofUser userID: String) async throws -> [String] { await base.durableChannels(ofUser: userID) }
    func leave(connectionID: String, channel: String, afterSeq: Int) async throws {
        await base.leave(connectionID: connectionID, channel: channel, afterSeq: afterSeq)
    }
    func channels(ofConnection id: String) async throws -> [String] { await base.channels(ofConnection: id) }
    func members(ofChannel channel: String) async throws -> [String] { await base.members(ofChannel: channel) }
    func append(_ entries: [LogEntry]) async throws -> [StoredMessage] { await base.append(entries) }
    func lastSeq() async throws -> Int { await base.lastSeq() }
    func messages(
        owedTo connectionID: String, userID: String?, after seq: Int, limit: Int
    ) async throws
        -> [StoredMessage]
    {
        await base.messages(owedTo: connectionID, userID: userID, after: seq, limit: limit)
    }
    func trimmedThrough() async throws -> Int { await base.trimmedThrough() }
    func logEpoch() async throws -> String { await base.logEpoch() }
    func trim(messagesBefore: Date, sessionsBefore: Date) async throws {
        await base.trim(messagesBefore: messagesBefore, sessionsBefore: sessionsBefore)
    }
}
