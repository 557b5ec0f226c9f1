public import Foundation

/// Where the WebSocket side keeps what must outlive a socket or a process: recovery sessions,
/// channel memberships and the message log. The in-memory store is the reference; the SQLite
/// and PostgreSQL drivers pass the same conformance suite (`StoreConformanceSuite` in
/// ZibriTesting).
///
/// Contract:
/// - Lists come back sorted. "Connected" means a session with an open socket.
/// - Memberships belong to the session: they survive a disconnect (so that recovery knows what
///   the session was owed and can restore them) but only connected sessions are a channel's
///   members. `join` and `leave` are idempotent; `join` of an unknown connection throws
///   `unknown-connection`.
/// - A durable membership belongs to a user, not a session: it lasts until the user leaves, and
///   every session of the user (those it has and every later one) is in the channel while it
///   lasts, without a row of its own: a connect costs one read, whatever the number of channels.
/// - A membership is an interval of the log: joined after seq `a`, left after seq `b`; a channel
///   message with seq `s` is owed to it when `a < s` and (still a member or `s <= b`). A session
///   is owed a channel message when one of its intervals or one of its user's durable intervals
///   holds the seq (the runtime asks only after the session's own place in the log).
/// - `append` gives each entry the next seq of one strictly increasing sequence, in order.
public protocol ZibriStore: Sendable {
    // MARK: Sessions and connections

    /// Stores a new session, connected.
    func openSession(_ session: SessionRecord) async throws
    /// The session of `token` when its user is `userID`, connected again on `nodeID` with the
    /// next epoch; nil when the token is unknown or belongs to another user.
    func resumeSession(token: String, userID: String?, nodeID: String, at: Date) async throws -> SessionRecord?
    func session(token: String) async throws -> SessionRecord?
    /// The socket of `epoch` closed: the session is disconnected (kept for recovery when `keep`,
    /// deleted with its memberships otherwise). An older epoch does nothing.
    func closeSession(connectionID: String, epoch: Int, at: Date, keep: Bool) async throws
    /// Marks every session still connected on `nodeID` disconnected at `at`: a node that
    /// starts again (after a crash, say) has no sockets, and its sessions' windows start now.
    func closeSessions(ofNode nodeID: String, at: Date) async throws
    /// Deletes every session of `userID`, connected or not, with its memberships (a logout):
    /// none can be recovered any more. Returns their connection ids, sorted.
    func revokeSessions(ofUser userID: String) async throws -> [String]
    /// A connected connection, or nil.
    func connection(id: String) async throws -> ConnectionRecord?
    /// The user's connected connections, sorted by id.
    func connections(ofUser userID: String) async throws -> [ConnectionRecord]
    func connectionCount() async throws -> Int

    // MARK: Channels

    /// `afterSeq`: the newest seq delivered when the join took effect.
    func join(connectionID: String, channel: String, afterSeq: Int) async throws
    func leave(connectionID: String, channel: String, afterSeq: Int) async throws
    /// The channels of a session (connected or not), its user's durable ones included, sorted.
    func channels(ofConnection id: String) async throws -> [String]
    /// The connected members of a channel (by their own membership or their user's), sorted.
    func members(ofChannel channel: String) async throws -> [String]

    // MARK: Durable memberships

    /// Makes `userID` a member of `channel` for good after `afterSeq`, and with it every session
    /// of the user. Idempotent: a member stays a member from where it was.
    func joinDurably(userID: String, channel: String, afterSeq: Int) async throws
    /// Ends the user's durable membership of `channel` and every one of the user's sessions'
    /// own memberships of it, after `afterSeq`. Idempotent.
    func leaveDurably(userID: String, channel: String, afterSeq: Int) async throws
    /// The user's durable channels, sorted.
    func durableChannels(ofUser userID: String) async throws -> [String]

    // MARK: The message log

    /// Logs the entries in order, each with the next seq.
    func append(_ entries: [LogEntry]) async throws -> [StoredMessage]
    /// The newest seq given out (0 for an empty log).
    func lastSeq() async throws -> Int
    /// The log's epoch: a random id given when the log was created, the same for as long as it
    /// lives. A log started again (a new file, a wiped database) has another one, so a client's
    /// seq from the old log is never taken for a place in the new one.
    func logEpoch() async throws -> String
    /// What the session of `connectionID` (whose user is `userID`) was owed after `seq`, in seq
    /// order, at most `limit` messages.
    func messages(
        owedTo connectionID: String, userID: String?, after seq: Int, limit: Int
    ) async throws
        -> [StoredMessage]
    /// The newest seq trimmed from the log (0 when nothing was): a client whose last seq is
    /// older may have missed a message that is gone.
    func trimmedThrough() async throws -> Int
    /// Deletes messages logged before `messagesBefore`, sessions (with their memberships)
    /// disconnected before `sessionsBefore`, and the users' ended durable memberships that owe
    /// no message left in the log.
    func trim(messagesBefore: Date, sessionsBefore: Date) async throws
}
