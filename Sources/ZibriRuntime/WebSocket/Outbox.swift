import Foundation
import NIOCore
import NIOWebSocket
import ZibriStorage

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
