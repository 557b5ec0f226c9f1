import Foundation
import NIOCore
import NIOWebSocket
import ZibriStorage

/// The connections of this process with the indexes a delivery needs (by user, by channel),
/// and the newest seq delivered. The lock covers lookups and queueing frames (never a socket
/// write), so that a connection that registers, joins or leaves sits at one exact point of the
/// sequence: before a message or after it, never half-way.
final class LiveConnections: @unchecked Sendable {
    private let lock = NSLock()
    private var outboxes: [String: Outbox] = [:]
    // The indexes hold the outboxes themselves (by connection id), so that a delivery does not
    // look each recipient up by its id.
    private var byUser: [String: [String: Outbox]] = [:]
    private var byChannel: [String: [String: Outbox]] = [:]
    private var channelsOf: [String: Set<String>] = [:]
    private var delivered = 0
    /// Set once the node stops: every connection, present and future, is closed with it.
    private var closingAll: (code: WebSocketErrorCode, reason: String)?

    private var started = false

    /// Starts at the store's newest seq (once the store is ready: migrated, its sessions closed).
    func start(at seq: Int) {
        lock.withLock {
            delivered = seq
            started = true
        }
    }

    /// Returns once `start(at:)` was called; throws when cancelled first.
    func waitUntilStarted() async throws {
        while !lock.withLock({ started }) { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Adds a connection in `channels`; returns the newest seq delivered before it, so that
    /// every later message reaches it.
    func register(_ outbox: Outbox, channels: [String]) -> Int {
        lock.withLock {
            if let closingAll { outbox.close(closingAll.code, reason: closingAll.reason, why: "server-closed") }
            let id = outbox.connection.id
            unindex(id)  // a resumed session's older socket, if it is still here
            outboxes[id] = outbox
            if let user = outbox.connection.userID { byUser[user, default: [:]][id] = outbox }
            for channel in channels { byChannel[channel, default: [:]][id] = outbox }
            channelsOf[id] = Set(channels)
            return delivered
        }
    }

    /// Removes the connection if `outbox` is still the one registered for its id (a recovered
    /// session may already have a newer socket).
    func remove(_ outbox: Outbox) {
        lock.withLock {
            guard outboxes[outbox.connection.id] === outbox else { return }
            unindex(outbox.connection.id)
        }
    }

    // Called with the lock held.
    private func unindex(_ id: String) {
        guard let outbox = outboxes.removeValue(forKey: id) else { return }
        if let user = outbox.connection.userID {
            byUser[user]?.removeValue(forKey: id)
            if byUser[user]?.isEmpty == true { byUser.removeValue(forKey: user) }
        }
        for channel in channelsOf.removeValue(forKey: id) ?? [] {
            byChannel[channel]?.removeValue(forKey: id)
            if byChannel[channel]?.isEmpty == true { byChannel.removeValue(forKey: channel) }
        }
    }

    /// Adds a live connection to a channel; the newest seq delivered before, or nil when the
    /// connection is not live here.
    func join(_ id: String, channel: String) -> Int? {
        lock.withLock {
            guard let outbox = outboxes[id] else { return nil }
            byChannel[channel, default: [:]][id] = outbox
            channelsOf[id, default: []].insert(channel)
            return delivered
        }
    }

    /// Adds a live connection to several channels at one place in the sequence; the newest seq
    /// delivered before, or nil when the connection is not live here.
    func join(_ id: String, channels: [String]) -> Int? {
        lock.withLock {
            guard let outbox = outboxes[id] else { return nil }
            for channel in channels { byChannel[channel, default: [:]][id] = outbox }
            channelsOf[id, default: []].formUnion(channels)
            return delivered
        }
    }

    /// Adds every live connection of a user to a channel; the newest seq delivered before, and
    /// the connections that were not in it.
    func join(user: String, channel: String) -> (after: Int, joined: [String]) {
        lock.withLock {
            var joined: [String] = []
            for (id, outbox) in byUser[user] ?? [:] where channelsOf[id]?.contains(channel) != true {
                byChannel[channel, default: [:]][id] = outbox
                channelsOf[id, default: []].insert(channel)
                joined.append(id)
            }
            return (delivered, joined.sorted())
        }
    }

    /// Removes every live connection of a user from a channel; the newest seq delivered before.
    func leave(user: String, channel: String) -> Int {
        lock.withLock {
            for id in (byUser[user] ?? [:]).keys {
                byChannel[channel]?.removeValue(forKey: id)
                channelsOf[id]?.remove(channel)
            }
            if byChannel[channel]?.isEmpty == true { byChannel.removeValue(forKey: channel) }
            return delivered
        }
    }

    /// Removes a connection from a channel; the newest seq delivered before.
    func leave(_ id: String, channel: String) -> Int {
        lock.withLock {
            byChannel[channel]?.removeValue(forKey: id)
            if byChannel[channel]?.isEmpty == true { byChannel.removeValue(forKey: channel) }
            channelsOf[id]?.remove(channel)
            return delivered
        }
    }

    /// Queues each message's frame (encoded once) for its recipients here, in seq order, or
    /// writes it to those whose outbox was idle (see `Outbox.claim`).
    func deliver(_ messages: [StoredMessage], frames: [String]) async {
        let claimed = lock.withLock {
            var claimed: [(Outbox, ByteBuffer)] = []
            for (message, text) in zip(messages, frames) {
                let frame = ByteBuffer(string: text)
                for outbox in recipients(message.entry.recipient, excluding: message.entry.excludedConnectionID)
                where outbox.claim(frame, seq: message.seq) {
                    claimed.append((outbox, frame))
                }
                delivered = max(delivered, message.seq)
            }
            return claimed
        }
        await Self.write(claimed)
    }

    /// The claimed frames' socket writes, outside the lock. An outbox is claimed only while its
    /// socket is writable, but the bytes already on their way can fill the socket before the
    /// write gets there, and then the write waits until the client reads: a deliverer (the
    /// dispatcher, a broadcast) must never wait for a client. So the writes get `claimPatience`;
    /// those not done by then are cancelled (NIO's writer drops a cancelled write unwritten)
    /// and go back to their outboxes, whose writer tasks wait for their own sockets.
    private static func write(_ claimed: [(Outbox, ByteBuffer)]) async {
        guard !claimed.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for (outbox, frame) in claimed { await outbox.write(claimed: frame) }
            }
            group.addTask { try? await Task.sleep(for: claimPatience) }
            await group.next()
            group.cancelAll()
        }
    }

    /// How long a delivery waits for its claimed writes (see `write(_:)`); what they leave is
    /// written by the connections' writer tasks instead, so the value changes speed, not order.
    static let claimPatience = Duration.milliseconds(100)

    /// Whether the node is stopping (every connection is being closed).
    var isStopping: Bool { lock.withLock { closingAll != nil } }

    /// Nothing logged up to `seq` is left to deliver (it was trimmed before this node read it).
    func skip(to seq: Int) { lock.withLock { delivered = max(delivered, seq) } }

    /// Closes every connection with `code`, and (when `forever`) every one that registers later.
    func closeAll(_ code: WebSocketErrorCode, reason: String, forever: Bool) {
        let all = lock.withLock {
            if forever { closingAll = (code, reason) }
            return Array(outboxes.values)
        }
        for outbox in all { outbox.close(code, reason: reason, why: "server-closed") }
    }

    /// Queues (or writes, see `deliver`) a frame that is not logged (`persist: false`).
    func deliverVolatile(_ frame: String, to recipient: Recipient, excluding excluded: String?) async {
        let bytes = ByteBuffer(string: frame)
        let claimed = lock.withLock {
            recipients(recipient, excluding: excluded).filter { $0.claim(bytes, seq: nil) }.map { ($0, bytes) }
        }
        await Self.write(claimed)
    }

    // Called with the lock held.
    private func recipients(_ recipient: Recipient, excluding excluded: String?) -> [Outbox] {
        var found: [Outbox]
        switch recipient {
        case .all: found = Array(outboxes.values)
        case .connection(let id): found = outboxes[id].map { [$0] } ?? []
        case .user(let user): found = byUser[user].map { Array($0.values) } ?? []
        case .channel(let channel): found = byChannel[channel].map { Array($0.values) } ?? []
        }
        if let excluded { found.removeAll { $0.connection.id == excluded } }
        return found
    }

    func outbox(_ id: String) -> Outbox? { lock.withLock { outboxes[id] } }
    var count: Int { lock.withLock { outboxes.count } }
    var deliveredThrough: Int { lock.withLock { delivered } }
}
