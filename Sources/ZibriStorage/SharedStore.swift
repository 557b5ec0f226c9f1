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

/// What one node tells the others through a shared store.
package enum ClusterNotice: Sendable, Hashable {
    /// Every seq up to and including this one is in the log.
    case logged(through: Int)
    /// A volatile (`persist: false`) message's frame, for this node's recipients.
    case volatile(origin: String, recipient: Recipient, excluding: String?, frame: String)
    /// Close this connection (wherever it is held, but on `origin`).
    case close(origin: String, connectionID: String, code: Int, reason: String)
    /// The node that holds this connection adds it to a channel, or removes it.
    case join(origin: String, connectionID: String, channel: String)
    case leave(origin: String, connectionID: String, channel: String)
    /// The listener (re)started; notices sent while it was down are lost.
    case listening

    /// The largest payload PostgreSQL's NOTIFY carries (8000 bytes) less room for the envelope.
    package static let maxPayloadBytes = 7_900

    private struct Wire: Codable {
        var kind: String
        var seq: Int?
        var origin: String?
        var recipientKind: String?
        var recipientID: String?
        var excluding: String?
        var frame: String?
        var connectionID: String?
        var channel: String?
        var code: Int?
        var reason: String?
    }

    /// The text sent between the nodes.
    package var payload: String {
        let wire: Wire =
            switch self {
            case .logged(let seq): Wire(kind: "logged", seq: seq)
            case .volatile(let origin, let recipient, let excluding, let frame):
                Wire(
                    kind: "volatile", origin: origin, recipientKind: recipient.kind, recipientID: recipient.id,
                    excluding: excluding, frame: frame)
            case .close(let origin, let connectionID, let code, let reason):
                Wire(kind: "close", origin: origin, connectionID: connectionID, code: code, reason: reason)
            case .join(let origin, let connectionID, let channel):
                Wire(kind: "join", origin: origin, connectionID: connectionID, channel: channel)
            case .leave(let origin, let connectionID, let channel):
                Wire(kind: "leave", origin: origin, connectionID: connectionID, channel: channel)
            case .listening: Wire(kind: "listening")
            }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(wire)) ?? Data(), as: UTF8.self)
    }

    /// The notice a payload carries, or nil for one this version does not understand.
    package init?(payload: String) {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(payload.utf8)) else { return nil }
        switch (wire.kind, wire.origin) {
        case ("logged", _):
            guard let seq = wire.seq else { return nil }
            self = .logged(through: seq)
        case ("volatile", let origin?):
            guard let kind = wire.recipientKind, let recipient = Recipient(kind: kind, id: wire.recipientID),
                let frame = wire.frame
            else { return nil }
            self = .volatile(origin: origin, recipient: recipient, excluding: wire.excluding, frame: frame)
        case ("close", let origin?):
            guard let connectionID = wire.connectionID, let code = wire.code else { return nil }
            self = .close(origin: origin, connectionID: connectionID, code: code, reason: wire.reason ?? "")
        case ("join", let origin?):
            guard let connectionID = wire.connectionID, let channel = wire.channel else { return nil }
            self = .join(origin: origin, connectionID: connectionID, channel: channel)
        case ("leave", let origin?):
            guard let connectionID = wire.connectionID, let channel = wire.channel else { return nil }
            self = .leave(origin: origin, connectionID: connectionID, channel: channel)
        case ("listening", _):
            self = .listening
        default:
            return nil
        }
    }
}
