import Crypto
import Foundation
import ZibriStorage

/// Sessions: a fresh one for a new client, or the one a reconnecting client asks to recover,
/// with what it missed replayed in order.
extension WebSocketRuntime {
    /// A connection's session, its registered outbox (holding the greeting and any replay), and
    /// its socket's turn to run the session's handlers.
    struct OpenedSession {
        let session: SessionRecord
        let outbox: Outbox
        let turn: SessionTurns.Turn
    }

    /// Opens the connection's session: the one the client asks to recover (`session` and
    /// `lastSeq` in the query, or the `Zibri-Session` and `Zibri-Last-Seq` headers) when it
    /// can, else a fresh one. The outbox is registered and holds the greeting, then the replay;
    /// live frames follow them without gap or duplicate.
    func open(_ handshake: Handshake) async throws -> OpenedSession {
        var reason: String?
        if let token = handshake.query["session"] ?? handshake.headers["zibri-session"] {
            let lastSeq = Int(handshake.query["lastSeq"] ?? handshake.headers["zibri-last-seq"] ?? "") ?? 0
            let epoch = handshake.query["epoch"] ?? handshake.headers["zibri-epoch"]
            switch try await recover(token: token, lastSeq: lastSeq, epoch: epoch, user: handshake.user) {
            case .recovered(let opened):
                metrics.recovery(result: "recovered")
                return opened
            case .failed(let why):
                metrics.recovery(result: why)
                reason = why
            }
        }
        let connection = WebSocketConnection(id: UUID().uuidString.lowercased(), userID: handshake.user?.id)
        let token = Self.newToken()
        let session = SessionRecord(
            token: Self.digest(token), connectionID: connection.id, userID: connection.userID, nodeID: nodeID)
        try await service.store.openSession(session)
        let outbox = Outbox(connection: connection, capacity: limits.outboundQueueSize)
        // Held until the greeting is queued: a message of a durable channel may come first.
        outbox.hold()
        let dropped: [String]
        let lastSeq: Int
        let channels: [String]
        do {
            dropped = try await recheckDurableChannels(of: connection)
            lastSeq = service.live.register(outbox, channels: [])
            channels = try await joinDurableChannels(outbox, besides: [])
        } catch {
            // No socket will ever close this session: it goes now, not with the window.
            service.live.remove(outbox)
            try? await service.store.closeSession(
                connectionID: connection.id, epoch: session.epoch, at: Date(), keep: false)
            throw error
        }
        let turn = turns.begin(outbox).turn
        let greeting = ServerFrame.connected(
            connectionId: connection.id, sessionToken: token, recovered: false, lastSeq: lastSeq,
            epoch: service.logEpoch, channels: channels, dropped: dropped, reason: reason)
        outbox.release(after: lastSeq, first: [greeting.jsonText])
        return OpenedSession(session: session, outbox: outbox, turn: turn)
    }

    enum Recovery {
        case recovered(OpenedSession)
        /// `epoch`, `expired`, `unknown`, `gap`, `too_many` or `disabled`.
        case failed(String)
    }

    private func recover(token: String, lastSeq: Int, epoch claimed: String?, user: User?) async throws -> Recovery {
        guard recovery.enabled else { return .failed("disabled") }
        let store = service.store
        // The client's seq is a place in a log: in another log (another epoch), or past this
        // one's head (the store went back, restored from a backup), it is no place at all, and
        // a replay from it would skip or repeat messages without anyone knowing.
        let epoch = try await store.logEpoch()
        service.note(epoch: epoch)
        if let claimed, claimed != epoch { return .failed("epoch") }
        if lastSeq > (try await store.lastSeq()) { return .failed("epoch") }
        // The store holds digests: a token is never compared as the client wrote it, and a
        // copy of the database does not hand out sessions.
        let digest = Self.digest(token)
        guard let existing = try await store.session(token: digest), existing.userID == user?.id else {
            return .failed("unknown")
        }
        if let disconnected = existing.disconnectedAt, Date().timeIntervalSince(disconnected) > recovery.window.seconds
        {
            return .failed("expired")
        }
        // A message it was owed may be gone with the trimmed ones: better no replay than one
        // that looks complete and is not.
        if lastSeq < (try await store.trimmedThrough()) { return .failed("gap") }
        guard let session = try await store.resumeSession(token: digest, userID: user?.id, nodeID: nodeID, at: Date())
        else { return .failed("unknown") }
        let connection = WebSocketConnection(id: session.connectionID, userID: session.userID)
        // The session may still have a socket the server has not seen close, here or on another
        // node: this one replaces it.
        let takeover = "the session was resumed by another connection"
        let older = service.live.outbox(connection.id)
        let code = WebSocketService.resumedCloseCode
        if let shared = service.shared {
            // An older socket still held by another node: this one's messages wait for its release.
            if existing.disconnectedAt == nil, existing.nodeID != nodeID { turns.awaitRelease(connection.id) }
            try await shared.announce(
                .close(origin: nodeID, connectionID: connection.id, code: Int(code), reason: takeover))
        }
        let dropped = try await recheckDurableChannels(of: connection)
        // Room for the greeting and the whole replay besides the usual queue.
        let outbox = Outbox(connection: connection, capacity: limits.outboundQueueSize + recovery.maxReplay + 1)
        outbox.hold()
        let sessionChannels = try await store.channels(ofConnection: connection.id)
        let liveFrom = service.live.register(outbox, channels: sessionChannels)
        let channels: [String]
        let owed: [StoredMessage]
        do {
            channels = try await joinDurableChannels(outbox, besides: sessionChannels)
            owed = try await store.messages(
                owedTo: connection.id, userID: connection.userID, after: lastSeq, limit: recovery.maxReplay + 1)
        } catch {
            service.live.remove(outbox)
            throw error
        }
        guard owed.count <= recovery.maxReplay else {
            older?.close(.unknown(code), reason: takeover, why: DisconnectReason.resumedCode)
            turns.released(connection.id, answers: [])
            service.live.remove(outbox)
            try await store.closeSession(connectionID: connection.id, epoch: session.epoch, at: Date(), keep: false)
            return .failed("too_many")
        }
        // Answers of the older socket that it could not write come after the replay, before
        // anything of this socket's own.
        let (turn, parked) = turns.begin(outbox)
        // Closed once this socket has the session's turn: the older socket's handlers then go
        // on, answering here, instead of stopping as for a session resumed on another node.
        older?.close(.unknown(code), reason: takeover, why: DisconnectReason.resumedCode)
        let greeting = ServerFrame.connected(
            connectionId: connection.id, sessionToken: token, recovered: true,
            lastSeq: max(liveFrom, owed.last?.seq ?? 0), epoch: epoch, channels: channels, dropped: dropped,
            replayed: owed.count)
        outbox.release(
            after: max(lastSeq, owed.last?.seq ?? lastSeq), first: [greeting.jsonText] + owed.map(Dispatcher.frame),
            then: parked)
        return .recovered(OpenedSession(session: session, outbox: outbox, turn: turn))
    }

    /// What the store keeps of a session token: its SHA-256, as hex.
    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// 256 bits from the system's secure generator, as hex: opaque and unguessable.
    static func newToken() -> String {
        (0..<4).map { _ in
            let text = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }
}
