import Foundation
import Logging
import NIOWebSocket
import Synchronization
public import ZibriSchema
import ZibriStorage

/// Sends frames to one connection, every connection of a user, a channel, or all; joins and
/// leaves channels; asks a client and waits for its answer. Reachable from WebSocket handlers
/// (`context.websocket`), HTTP handlers (`context.websocket`) and the application.
///
/// Every message is logged with a `seq` for recovery unless it is sent with `persist: false`
/// (volatile, like typing indicators); a send returns once the message is logged and queued for
/// its live recipients.
///
/// On PostgreSQL with several nodes, every operation reaches connections on every node, but
/// `request`, which asks a connection held by this node.
public final class WebSocketService: Sendable {
    /// The store and what it can do.
    let opened: OpenedStore
    /// The store as every part of the runtime uses it: guarded by `health`.
    let store: any ZibriStore
    /// Whether the store answers, as the probes and the operations find it.
    let health: StoreHealthMonitor
    /// The store, when several nodes share it.
    var shared: (any SharedStore)? { opened.shared }
    /// This server's name among the nodes that share the store.
    let nodeID: String
    let live: LiveConnections
    /// Which socket of a session runs its handlers, and where their answers go.
    let turns: SessionTurns
    let dispatcher: Dispatcher
    let pending = PendingRequests()
    let patterns: ChannelPatterns
    /// The patterns whose memberships belong to the user (`durable: true`).
    let durablePatterns: Set<String>
    /// `connection.timeoutInMs`: how long `request` waits by default.
    let requestTimeoutMs: Int
    let metrics: ZibriMetrics
    let logger: Logger
    /// The log's epoch as last read (at the start, then at each recovery).
    private let knownEpoch = Mutex("")

    init(
        store: OpenedStore, nodeID: String, channelPatterns: [String], durablePatterns: Set<String> = [],
        requestTimeoutMs: Int,
        storeTimeout: Duration = .seconds(5), turns: SessionTurns = SessionTurns(keepParked: .zero, maxParked: 0),
        metrics: ZibriMetrics = ZibriMetrics(), logger: Logger
    ) {
        self.turns = turns
        self.opened = store
        let health = StoreHealthMonitor()
        self.health = health
        let guarded = GuardedStore(base: store.store, monitor: health, timeout: storeTimeout)
        self.store = guarded
        self.nodeID = nodeID
        let live = LiveConnections()
        self.live = live
        self.dispatcher = Dispatcher(
            store: guarded, shared: store.shared, live: live, metrics: metrics, logger: logger)
        self.metrics = metrics
        self.patterns = ChannelPatterns(channelPatterns)
        self.durablePatterns = durablePatterns
        self.requestTimeoutMs = requestTimeoutMs
        self.logger = logger
    }

    /// Tells the node that resumed the session of `connectionID` that this one has done with its
    /// older socket, with the answers kept for it (those that fit in a notice).
    func release(_ connectionID: String) async {
        guard let shared else { return }
        var answers: [String] = []
        var bytes = 200 + connectionID.utf8.count
        for frame in turns.takeParked(connectionID) {
            let answer = String(buffer: frame)
            bytes += answer.utf8.count + 4
            guard bytes <= ClusterNotice.maxPayloadBytes else {
                logger.warning("answers for connection \(connectionID) do not fit the release notice: dropped")
                break
            }
            answers.append(answer)
        }
        do {
            try await shared.announce(.released(origin: nodeID, connectionID: connectionID, answers: answers))
        } catch {
            logger.warning("cannot tell the other nodes that connection \(connectionID) is released: \(error)")
        }
    }

    /// The log's epoch, as the greeting tells clients.
    var logEpoch: String { knownEpoch.withLock { $0 } }

    /// Keeps the epoch just read from the store; warns when it is not the one known before (the
    /// store was replaced under the running server).
    func note(epoch: String) {
        let before = knownEpoch.withLock { known in
            defer { known = epoch }
            return known
        }
        if !before.isEmpty, before != epoch {
            logger.warning(
                "the store's log changed its epoch from \(before) to \(epoch): it was replaced, and sessions of the old log cannot be recovered"
            )
        }
    }

    private func publish(
        _ event: String, _ data: JSONValue, to recipient: Recipient, from sender: WebSocketConnection?,
        excluding excluded: String? = nil, persist: Bool
    ) async throws {
        metrics.sent(event: event)
        guard persist else {
            let channel: String? = if case .channel(let name) = recipient { name } else { nil }
            let frame = ServerFrame.event(
                event, data: data, channel: channel, senderUserId: sender?.userID, senderConnectionId: sender?.id)
            guard let shared else {
                await live.deliverVolatile(frame.jsonText, to: recipient, excluding: excluded)
                return
            }
            // Other nodes hear of it through a notice, which has a size limit: check it first.
            let notice = ClusterNotice.volatile(
                origin: nodeID, recipient: recipient, excluding: excluded, frame: frame.jsonText)
            guard notice.payload.utf8.count <= ClusterNotice.maxPayloadBytes else {
                throw WebSocketError(
                    code: "volatile-too-large",
                    message:
                        "a volatile message reaches other nodes in at most \(ClusterNotice.maxPayloadBytes) bytes; send it persisted"
                )
            }
            await live.deliverVolatile(frame.jsonText, to: recipient, excluding: excluded)
            try await shared.announce(notice)
            return
        }
        _ = try await dispatcher.publish(
            LogEntry(
                recipient: recipient, event: event, data: data, senderUserID: sender?.userID,
                senderConnectionID: sender?.id, excludedConnectionID: excluded))
    }

    // MARK: Sending

    /// Sends to one connection; throws `unknown-connection` when it is not connected.
    public func send(
        event: String, data: JSONValue, to connectionID: String, from sender: WebSocketConnection? = nil,
        persist: Bool = true
    ) async throws {
        guard try await isConnected(connectionID) else { throw WebSocketError.unknownConnection(connectionID) }
        try await publish(event, data, to: .connection(connectionID), from: sender, persist: persist)
    }

    /// Sends to every connection of a user (a user without connections is not an error).
    public func send(
        event: String, data: JSONValue, toUser userID: String, from sender: WebSocketConnection? = nil,
        persist: Bool = true
    ) async throws {
        try await publish(event, data, to: .user(userID), from: sender, persist: persist)
    }

    /// Sends to every connection.
    public func sendToAll(
        event: String, data: JSONValue, from sender: WebSocketConnection? = nil, persist: Bool = true
    ) async throws {
        try await publish(event, data, to: .all, from: sender, persist: persist)
    }

    /// Sends to the members of a channel, optionally not to the sender.
    public func send(
        event: String, data: JSONValue, toChannel channel: String, from sender: WebSocketConnection? = nil,
        excludingSender: Bool = false, persist: Bool = true
    ) async throws {
        try await publish(
            event, data, to: .channel(channel), from: sender, excluding: excludingSender ? sender?.id : nil,
            persist: persist)
    }

    /// Sends `{"event": event, "requestId": "r1", "data": data}` to one connection and waits for
    /// its `{"event": "ws:ack", "requestId": "r1", "body": answer}`; returns the answer's body.
    /// Throws `timeout` after `timeoutInMs` (default `connection.timeoutInMs`),
    /// `unknown-connection` when the connection does not exist, `remote-connection` when another
    /// node holds it, and `connection-closed` when it ends before answering.
    public func request(
        event: String, data: JSONValue, to connectionID: String, timeoutInMs: Int? = nil
    ) async throws -> JSONValue {
        guard let outbox = live.outbox(connectionID) else {
            if shared != nil, try await store.connection(id: connectionID) != nil {
                throw WebSocketError(
                    code: "remote-connection",
                    message:
                        "connection '\(connectionID)' is held by another node; request asks this node's connections")
            }
            throw WebSocketError.unknownConnection(connectionID)
        }
        let id = pending.nextID()
        let frame = ServerFrame.request(event, requestId: id, data: data).jsonText
        let timeout = timeoutInMs ?? requestTimeoutMs
        let pending = self.pending
        return try await withThrowingTaskGroup(of: JSONValue.self) { group in
            group.addTask {
                try await pending.wait(id: id, connectionID: connectionID) { outbox.send(frame) }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(timeout))
                throw WebSocketError(
                    code: "timeout", message: "connection '\(connectionID)' did not answer '\(event)' in \(timeout) ms")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    // MARK: Connections and channels

    /// Closes a connection with a WebSocket close code (default 1000) after the frames queued
    /// before it; throws `unknown-connection` when it is gone.
    public func disconnect(_ connectionID: String, code: UInt16 = 1000, reason: String = "") async throws {
        if let outbox = live.outbox(connectionID) {
            outbox.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason, why: "server-closed")
        } else if let shared, try await store.connection(id: connectionID) != nil {
            try await shared.announce(
                .close(origin: nodeID, connectionID: connectionID, code: Int(code), reason: reason))
        } else {
            throw WebSocketError.unknownConnection(connectionID)
        }
    }

    /// Ends every session of a user, as a logout must: none of them can be recovered any more
    /// (a session token that leaked is worth nothing from now on), and their open sockets, on
    /// this node or another, close with 4401 after the frames queued before. Returns the
    /// connection ids of the revoked sessions.
    @discardableResult
    public func revokeSessions(ofUser userID: String, reason: String = "logged out") async throws -> [String] {
        let revoked = try await store.revokeSessions(ofUser: userID)
        for id in revoked {
            if let outbox = live.outbox(id) {
                outbox.close(.unknown(Self.revokedCloseCode), reason: reason, why: "session-revoked")
            } else if let shared {
                try await shared.announce(
                    .close(origin: nodeID, connectionID: id, code: Int(Self.revokedCloseCode), reason: reason))
            }
        }
        return revoked
    }

    /// The close code of a socket whose session was revoked (4000 + 401).
    static let revokedCloseCode: UInt16 = 4401
    /// The close of a socket whose session was resumed by another connection.
    static let resumedCloseCode: UInt16 = 4409

    /// Whether the connection is open here or, with several nodes, on any node.
    private func isConnected(_ connectionID: String) async throws -> Bool {
        if live.outbox(connectionID) != nil { return true }
        return shared != nil ? try await store.connection(id: connectionID) != nil : false
    }

    /// The node that holds the connection when it is another node than this one.
    func remoteNode(of connectionID: String) async throws -> String? {
        guard shared != nil, live.outbox(connectionID) == nil else { return nil }
        return try await store.connection(id: connectionID).map(\.nodeID).flatMap { $0 == nodeID ? nil : $0 }
    }

    /// The connection with this id, or nil.
    public func connection(_ id: String) async throws -> WebSocketConnection? {
        try await store.connection(id: id).map { WebSocketConnection(id: $0.id, userID: $0.userID) }
    }

    /// Every connection of a user, sorted by id.
    public func connections(ofUser userID: String) async throws -> [WebSocketConnection] {
        try await store.connections(ofUser: userID).map { WebSocketConnection(id: $0.id, userID: $0.userID) }
    }
}
