package import Foundation

/// A store that several server nodes share (PostgreSQL). Besides what every store keeps, it
/// carries notices between the nodes: each node learns that messages were logged (and reads
/// them from the log, so a notice stays small whatever the message), and hears the few things
/// that are not logged: volatile messages, closes, joins and leaves of connections it holds.
///
/// Contract:
/// - `append` notices `.logged` through its last seq once the entries are committed, and a
///   committed seq n means every seq below n is committed too (readers never see a hole that
///   fills later).
/// - `notices` yields every notice sent after the listener started, in the order sent, this
///   node's own included; each time the listener (re)starts it first yields `.listening`, so
///   the node catches up with what it may have missed while deaf.
/// - Nodes prove they are alive with `beat`; `reapNodes` ends the sessions of nodes that have
///   been silent too long (they died without closing them), so that their windows start.
package protocol SharedStore: RunnableStore {
    /// Logged messages after `seq` whoever they were sent to, in seq order, at most `limit`.
    func messages(after seq: Int, limit: Int) async throws -> [StoredMessage]
    /// Sends a notice to every node, this one included.
    func announce(_ notice: ClusterNotice) async throws
    /// The notices of every node. One consumer; it ends when `run()` ends.
    var notices: AsyncStream<ClusterNotice> { get }
    /// Records that `nodeID` is alive at `at`; false when the node was not known (it is new, or
    /// it was silent so long that it was reaped).
    func beat(nodeID: String, at: Date) async throws -> Bool
    /// Forgets the nodes whose last beat is older than `silentSince` and marks their connected
    /// sessions disconnected at that last beat; returns the nodes' ids, sorted.
    func reapNodes(silentSince: Date) async throws -> [String]
}
