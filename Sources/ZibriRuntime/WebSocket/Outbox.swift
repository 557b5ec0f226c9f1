import Foundation
import NIOCore
import NIOWebSocket
import ZibriStorage

/// Why a connection ended, as `lifecycle.onDisconnect` handlers see it.
public struct DisconnectReason: Sendable, Hashable, CustomStringConvertible {
    /// A stable code: `client-closed`, `server-closed`, `message-too-large`, `rate-limited`,
    /// `binary-frame`, `outbound-queue-full` or `error`.
    public let code: String
    /// The WebSocket close code the server sent, if it was the server that closed.
    public let closeCode: Int?

    public var description: String { closeCode.map { "\(code) (\($0))" } ?? code }

    static let clientClosed = DisconnectReason(code: "client-closed", closeCode: nil)
    static let error = DisconnectReason(code: "error", closeCode: nil)
}

/// One connection's outgoing frames: a bounded queue drained by the connection's writer task,
/// so a sender never waits on a slow client. A client that lets the queue fill is closed with
/// 1008; `WebSocketService.disconnect` closes through the same queue, after the frames before it.
/// A recovering connection first holds its live frames back while the replay is queued, then
/// releases those the replay did not already carry (the seam: no gap, no duplicate).
///
/// Frames are the text's bytes, so that one broadcast's frame is made once and shared by every
/// recipient's queue and socket write (a `ByteBuffer` is copied on write only).
///
/// A delivery may also *claim* an idle outbox (writer parked, nothing queued, socket writable)
/// and write its frame itself, without waking the writer task: handing each frame of a
/// broadcast to a thousand writer tasks cost more than the socket writes. While a claimed write
/// is in flight, later frames queue and the writer waits for it, so the order stays the order
/// of `send` and `claim` calls.
final class Outbox: @unchecked Sendable {
    let connection: WebSocketConnection
    private let capacity: Int
    // Guarded by `lock`.
    private let lock = NSLock()
    private var queue = CircularBuffer<ByteBuffer>()
    /// The writer task, parked in `next()` because there was nothing it could write.
    private var waiter: CheckedContinuation<ByteBuffer?, Never>?
    /// `waiter != nil`, kept apart because testing the optional copies (retains) the
    /// continuation, on every delivery.
    private var writerParked = false
    /// No more frames will be queued; the writer ends once the queue is empty.
    private var finished = false
    /// A claimed frame is being written by its deliverer.
    private var claimInFlight = false
    private var socket: (write: @Sendable (ByteBuffer) async throws -> Void, isWritable: @Sendable () -> Bool)?
    private var closing: (code: WebSocketErrorCode, reason: String, why: DisconnectReason)?
    private var held: [(seq: Int?, frame: ByteBuffer)]?
    /// The newest seq a recovery replay carried: a live frame at or below it is a duplicate (a
    /// message can be logged, so replayed, before it is delivered live).
    private var replayedThrough = 0
    private var drained = false
    /// Yields once when a close is asked for; ends when the writer has drained.
    let closeRequested: AsyncStream<Void>
    private let closeSignal: AsyncStream<Void>.Continuation

    init(connection: WebSocketConnection, capacity: Int) {
        self.connection = connection
        self.capacity = capacity
        (closeRequested, closeSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Lets deliveries write to the socket themselves when the outbox is idle (see `claim`).
    func attach(
        write: @escaping @Sendable (ByteBuffer) async throws -> Void, isWritable: @escaping @Sendable () -> Bool
    ) {
        lock.withLock { socket = (write, isWritable) }
    }

    /// Queues a frame (`seq`: its place in the log, for a logged message); false when the
    /// connection is closing or its queue is full (the client is not reading: the queue ends
    /// and the writer task closes the connection with 1008).
    @discardableResult
    func send(_ frame: String, seq: Int? = nil) -> Bool {
        send(ByteBuffer(string: frame), seq: seq)
    }

    /// Queues a frame made once for several connections.
    @discardableResult
    func send(_ frame: ByteBuffer, seq: Int? = nil) -> Bool {
        switch lock.withLock({ accept(frame, seq: seq, mayClaim: false) }) {
        case .queued, .claimed: return true
        case .full:
            closeOverflowed()
            return false
        case .closed: return false
        }
    }

    /// Like `send`, but an idle outbox is claimed instead: then the caller must pass the frame
    /// to `write(claimed:)` (outside any lock: it waits for the socket) before it claims this
    /// outbox again. Returns whether it was claimed.
    func claim(_ frame: ByteBuffer, seq: Int?) -> Bool {
        switch lock.withLock({ accept(frame, seq: seq, mayClaim: true) }) {
        case .claimed: return true
        case .queued, .closed: return false
        case .full:
            closeOverflowed()
            return false
        }
    }

    /// Writes a frame `claim` returned true for, then hands the queue back to the writer task.
    func write(claimed frame: ByteBuffer) async {
        var failed = true
        if let write = lock.withLock({ socket?.write }) {
            do {
                try await write(frame)
                failed = false
            } catch {}
        }
        lock.withLock {
            claimInFlight = false
            // Not written (the deliverer was cancelled, or the socket failed): the writer tries
            // it first, and meets the same failure if the socket is gone.
            if failed { queue.prepend(frame) }
            wakeWriter()
        }
    }

    private enum Accepted { case queued, claimed, full, closed }

    // Called with the lock held.
    private func accept(_ frame: ByteBuffer, seq: Int?, mayClaim: Bool) -> Accepted {
        if let seq, seq <= replayedThrough { return .queued }  // already sent with the replay
        if held != nil {
            guard held!.count < capacity else { return .full }
            held!.append((seq, frame))
            return .queued
        }
        if mayClaim, writerParked, queue.isEmpty, !claimInFlight, !finished, let socket, socket.isWritable() {
            claimInFlight = true
            return .claimed
        }
        return enqueue(frame)
    }

    // Called with the lock held.
    private func enqueue(_ frame: ByteBuffer) -> Accepted {
        guard !finished else { return .closed }
        guard queue.count < capacity else { return .full }
        queue.append(frame)
        wakeWriter()
        return .queued
    }

    // Called with the lock held: gives the parked writer its next frame, or the end.
    private func wakeWriter() {
        guard writerParked, !claimInFlight, !queue.isEmpty || finished else { return }
        writerParked = false
        waiter.take()!.resume(returning: queue.popFirst())
    }

    /// The writer task's next frame; nil once the outbox is finished and empty (or the task is
    /// cancelled). Waits while a claimed write is in flight, so frames keep their order.
    func next() async -> ByteBuffer? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ByteBuffer?, Never>) in
                lock.withLock {
                    if Task.isCancelled {
                        continuation.resume(returning: nil)
                    } else if !claimInFlight, let frame = queue.popFirst() {
                        continuation.resume(returning: frame)
                    } else if !claimInFlight, finished {
                        continuation.resume(returning: nil)
                    } else {
                        waiter = continuation
                        writerParked = true
                    }
                }
            }
        } onCancel: {
            lock.withLock {
                writerParked = false
                waiter.take()?.resume(returning: nil)
            }
        }
    }

    /// Whether the writer task is parked in `next()`.
    var writerIsWaiting: Bool { lock.withLock { writerParked } }

    /// From now on, live frames wait until `release`.
    func hold() {
        lock.withLock { held = [] }
    }

    /// Queues `first` (the greeting and the replay), then the held frames newer than `seq` (older
    /// ones went out with the replay), then lets frames through directly again, but for those
    /// at or below `seq`.
    func release(after seq: Int, first: [String]) {
        // Queued under the lock, so no live frame overtakes them; a full queue is closed after.
        let overflowed = lock.withLock {
            replayedThrough = seq
            var overflowed = false
            for frame in first where enqueue(ByteBuffer(string: frame)) == .full { overflowed = true }
            for (frameSeq, frame) in held ?? [] where frameSeq.map({ $0 > seq }) ?? true {
                if enqueue(frame) == .full { overflowed = true }
            }
            held = nil
            return overflowed
        }
        if overflowed { closeOverflowed() }
    }

    /// The client is not reading: its queue is full.
    private func closeOverflowed() {
        close(.policyViolation, reason: "outbound queue full", why: "outbound-queue-full")
    }

    /// Ends the queue; the writer task writes what is queued, then closes with `code`. The
    /// first close asked for wins.
    func close(_ code: WebSocketErrorCode, reason: String, why: String) {
        lock.withLock {
            if closing == nil {
                closing = (code, reason, DisconnectReason(code: why, closeCode: Int(UInt16(webSocketErrorCode: code))))
            }
            finished = true
            wakeWriter()
        }
        closeSignal.yield()
    }

    /// The writer task has written everything (or failed); see `WebSocketRuntime.exchange`.
    func markDrained() {
        lock.withLock { drained = true }
        closeSignal.finish()
    }
    var isDrained: Bool { lock.withLock { drained } }

    /// The close asked for, if any.
    var closeRequest: (code: WebSocketErrorCode, reason: String, why: DisconnectReason)? { lock.withLock { closing } }

    /// Ends the queue without a close of our own (the client closed).
    func finish() {
        lock.withLock {
            finished = true
            wakeWriter()
        }
    }
}

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

    /// The claimed frames' socket writes, outside the lock: each waits for its socket's buffer
    /// only (the outbox was claimed only while the socket was writable), never for a client.
    private static func write(_ claimed: [(Outbox, ByteBuffer)]) async {
        for (outbox, frame) in claimed { await outbox.write(claimed: frame) }
    }

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
