public import Foundation
import Logging
public import ZibriSchema

/// One connection's outgoing frames: a bounded queue drained by the connection's writer task,
/// so a sender never waits on a slow client. A client that lets the queue fill is closed.
final class Outbox: @unchecked Sendable {
    let connection: WebSocketConnection
    private let continuation: AsyncStream<String>.Continuation
    let frames: AsyncStream<String>
    // Guarded by `lock`; set once, read by the writer task when the queue ends.
    private let lock = NSLock()
    private var overflowedValue = false

    init(connection: WebSocketConnection, capacity: Int) {
        self.connection = connection
        (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Queues a frame. When the queue is full the client is not reading: the queue is closed
    /// and `overflowed` tells the writer task to close the connection with 1008.
    @discardableResult
    func send(_ frame: String) -> Bool {
        switch continuation.yield(frame) {
        case .enqueued:
            return true
        case .dropped:
            lock.withLock { overflowedValue = true }
            continuation.finish()
            return false
        case .terminated:
            return false
        @unknown default:
            return false
        }
    }

    var overflowed: Bool { lock.withLock { overflowedValue } }

    func finish() {
        continuation.finish()
    }
}

/// The connections of this process, by id.
actor LiveConnections {
    private var outboxes: [String: Outbox] = [:]

    func add(_ outbox: Outbox) { outboxes[outbox.connection.id] = outbox }
    func remove(_ id: String) { outboxes.removeValue(forKey: id) }
    func outbox(_ id: String) -> Outbox? { outboxes[id] }
    func outboxes(_ ids: [String]) -> [Outbox] { ids.compactMap { outboxes[$0] } }
    func all() -> [Outbox] { Array(outboxes.values) }
    var count: Int { outboxes.count }
}

/// A send to a connection that does not exist (any more).
public struct WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public var description: String { "\(message) [\(code)]" }
}

/// Sends frames to one connection, every connection of a user, a channel, or all; joins and
/// leaves channels. Reachable from WebSocket and HTTP handlers alike.
public final class WebSocketService: Sendable {
    let store: any ZibriStore
    let live = LiveConnections()
    let patterns: ChannelPatterns
    let logger: Logger

    init(store: any ZibriStore, channelPatterns: [String], logger: Logger) {
        self.store = store
        self.patterns = ChannelPatterns(channelPatterns)
        self.logger = logger
    }

    /// Sends to one connection; throws `unknown-connection` when it is gone.
    public func send(event: String, data: JSONValue, to connectionID: String) async throws {
        guard let outbox = await live.outbox(connectionID) else {
            throw WebSocketError(code: "unknown-connection", message: "no connection '\(connectionID)'")
        }
        deliver(ServerFrame.event(event, data: data).jsonText, to: [outbox])
    }

    /// Sends to every connection of a user (none is not an error).
    public func send(event: String, data: JSONValue, toUser userID: String) async throws {
        let ids = try await store.connections(ofUser: userID).map(\.id)
        deliver(ServerFrame.event(event, data: data).jsonText, to: await live.outboxes(ids))
    }

    /// Sends to every connection.
    public func sendToAll(event: String, data: JSONValue, from sender: WebSocketConnection? = nil) async {
        let frame = ServerFrame.event(
            event, data: data, senderUserId: sender?.userID, senderConnectionId: sender?.id
        ).jsonText
        deliver(frame, to: await live.all())
    }

    /// Sends to the members of a channel, optionally not to the sender.
    public func send(
        event: String, data: JSONValue, toChannel channel: String, from sender: WebSocketConnection? = nil,
        excludingSender: Bool = false
    ) async throws {
        var ids = try await store.members(ofChannel: channel)
        if excludingSender, let sender { ids.removeAll { $0 == sender.id } }
        let frame = ServerFrame.event(
            event, data: data, channel: channel, senderUserId: sender?.userID, senderConnectionId: sender?.id
        ).jsonText
        deliver(frame, to: await live.outboxes(ids))
    }

    /// Adds a connection to a channel; the name must match one of the spec's channel patterns.
    public func join(_ connectionID: String, channel: String) async throws {
        guard patterns.match(channel) != nil else {
            throw WebSocketError(
                code: "unknown-channel", message: "'\(channel)' matches no channel pattern of the spec")
        }
        try await store.join(connectionID: connectionID, channel: channel)
    }

    public func leave(_ connectionID: String, channel: String) async throws {
        try await store.leave(connectionID: connectionID, channel: channel)
    }

    public func channels(of connectionID: String) async throws -> [String] {
        try await store.channels(ofConnection: connectionID)
    }

    public func connections(in channel: String) async throws -> [String] {
        try await store.members(ofChannel: channel)
    }

    /// The frame is encoded once, whatever the number of recipients; a full queue closes its
    /// connection (see `Outbox`), and sending to the others goes on.
    private func deliver(_ frame: String, to outboxes: [Outbox]) {
        for outbox in outboxes {
            outbox.send(frame)
        }
    }
}
