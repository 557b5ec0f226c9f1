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
///
/// The rules are `OutboxState`'s; this class holds it under a lock and carries out what its
/// transitions return.
final class Outbox: @unchecked Sendable {
    typealias Waiter = CheckedContinuation<ByteBuffer?, Never>
    typealias CloseRequest = OutboxState<Waiter>.CloseRequest

    let connection: WebSocketConnection
    private let lock = NSLock()
    // Guarded by `lock`.
    private var state: OutboxState<Waiter>
    private var socket: (write: @Sendable (ByteBuffer) async throws -> Void, isWritable: @Sendable () -> Bool)?
    /// Yields once when a close is asked for; ends when the writer has drained.
    let closeRequested: AsyncStream<Void>
    private let closeSignal: AsyncStream<Void>.Continuation

    init(connection: WebSocketConnection, capacity: Int) {
        self.connection = connection
        self.state = OutboxState(capacity: capacity)
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
        let accepted = lock.withLock { state.send(frame, seq: seq, mayClaim: false, isWritable: { false }) }
        return carryOut(accepted)
    }

    /// Like `send`, but an idle outbox is claimed instead: then the caller must pass the frame
    /// to `write(claimed:)` (outside any lock: it waits for the socket) before it claims this
    /// outbox again. Returns whether it was claimed.
    func claim(_ frame: ByteBuffer, seq: Int?) -> Bool {
        let accepted = lock.withLock {
            state.send(frame, seq: seq, mayClaim: true, isWritable: { socket?.isWritable() ?? false })
        }
        if case .claimed = accepted { return true }
        carryOut(accepted)
        return false
    }

    /// Writes a frame `claim` returned true for, then hands the queue back to the writer task.
    func write(claimed frame: ByteBuffer) async {
        var written = false
        if let write = lock.withLock({ socket?.write }) {
            do {
                try await write(frame)
                written = true
            } catch {}
        }
        resume(lock.withLock { state.claimedWriteEnded(frame, written: written) })
    }

    /// The writer task's next frame; nil once the outbox is finished and empty (or the task is
    /// cancelled). Waits while a claimed write is in flight, so frames keep their order.
    func next() async -> ByteBuffer? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let next: OutboxState<Waiter>.Next? = lock.withLock {
                    Task.isCancelled ? nil : state.next(continuation)
                }
                switch next {
                case nil, .end: continuation.resume(returning: nil)
                case .frame(let frame): continuation.resume(returning: frame)
                case .park: break
                }
            }
        } onCancel: {
            lock.withLock { state.cancelWriter() }?.resume(returning: nil)
        }
    }

    /// Whether the writer task is parked in `next()`.
    var writerIsWaiting: Bool { lock.withLock { state.writerIsParked } }

    /// From now on, live frames wait until `release`.
    func hold() {
        lock.withLock { state.hold() }
    }

    /// Queues `first` (the greeting and the replay) and `answers` (kept for the session, see
    /// `SessionTurns`), then the held frames newer than `seq` (older
    /// ones went out with the replay), then lets frames through directly again, but for those
    /// at or below `seq`.
    func release(after seq: Int, first: [String], then answers: [ByteBuffer] = []) {
        let frames = first.map { ByteBuffer(string: $0) } + answers
        carryOut(lock.withLock { state.release(after: seq, first: frames) })
    }

    /// Ends the queue; the writer task writes what is queued, then closes with `code`. The
    /// first close asked for wins.
    func close(_ code: WebSocketErrorCode, reason: String, why: String) {
        let why = DisconnectReason(code: why, closeCode: Int(UInt16(webSocketErrorCode: code)))
        resume(lock.withLock { state.close(CloseRequest(code: code, reason: reason, why: why)) })
        closeSignal.yield()
    }

    /// Ends the queue without a close of our own (the client closed).
    func finish() {
        resume(lock.withLock { state.finish() })
    }

    /// The writer task has written everything (or failed); see `WebSocketRuntime.exchange`.
    func markDrained() {
        lock.withLock { state.markDrained() }
        closeSignal.finish()
    }
    var isDrained: Bool { lock.withLock { state.drained } }

    /// Whether the outbox takes no more frames (the connection closes, or its reading ended).
    var isFinished: Bool {
        lock.withLock {
            if case .finished = state.phase { return true }
            return false
        }
    }

    /// The close asked for, if any.
    var closeRequest: CloseRequest? { lock.withLock { state.closeRequest } }

    /// Outside the lock: wakes the writer, and signals an overflow's close.
    @discardableResult
    private func carryOut(_ accepted: OutboxState<Waiter>.Accepted) -> Bool {
        switch accepted {
        case .queued(let wake):
            resume(wake)
            return true
        case .claimed:
            return true
        case .refused:
            return false
        case .overflowed(let wake):
            resume(wake)
            closeSignal.yield()
            return false
        }
    }

    private func resume(_ wake: OutboxState<Waiter>.Wake?) {
        if let wake { wake.writer.resume(returning: wake.frame) }
    }
}
