import Foundation

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
    /// A user joined a durable channel, or left it: the nodes add the user's connections they
    /// hold to it (and to the store, at their own place in the log), or remove them.
    case joinUser(origin: String, userID: String, channel: String)
    case leaveUser(origin: String, userID: String, channel: String)
    /// `origin` has done with the older socket of a session resumed elsewhere: its handlers have
    /// ended, and `answers` are the frames it could not write, for the resumed socket.
    case released(origin: String, connectionID: String, answers: [String])
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
        var answers: [String]?
        var userID: String?
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
            case .joinUser(let origin, let userID, let channel):
                Wire(kind: "joinUser", origin: origin, channel: channel, userID: userID)
            case .leaveUser(let origin, let userID, let channel):
                Wire(kind: "leaveUser", origin: origin, channel: channel, userID: userID)
            case .released(let origin, let connectionID, let answers):
                Wire(kind: "released", origin: origin, connectionID: connectionID, answers: answers)
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
        case ("joinUser", let origin?):
            guard let userID = wire.userID, let channel = wire.channel else { return nil }
            self = .joinUser(origin: origin, userID: userID, channel: channel)
        case ("leaveUser", let origin?):
            guard let userID = wire.userID, let channel = wire.channel else { return nil }
            self = .leaveUser(origin: origin, userID: userID, channel: channel)
        case ("released", let origin?):
            guard let connectionID = wire.connectionID else { return nil }
            self = .released(origin: origin, connectionID: connectionID, answers: wire.answers ?? [])
        case ("listening", _):
            self = .listening
        default:
            return nil
        }
    }
}
