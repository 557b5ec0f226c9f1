import NIOCore
import NIOWebSocket

/// What an `Outbox` decides, as a value: its queue, its phase (open, holding frames for a
/// recovery, finished) and where its writer task is (busy, parked, behind a claimed write).
/// Every transition returns what the caller must do (wake the writer with a frame, or with the
/// end; close the connection), so the rules are tested without sockets, tasks or locks.
///
/// `Waiter` is how a parked writer is resumed: a continuation in the runtime, a plain value in
/// tests.
struct OutboxState<Waiter> {
    struct CloseRequest {
        let code: WebSocketErrorCode
        let reason: String
        let why: DisconnectReason
    }

    enum Phase {
        /// Frames queue, or are claimed by their deliverer.
        case open
        /// A recovery's replay is being read: live frames wait here until `release`.
        case holding([(seq: Int?, frame: ByteBuffer)])
        /// No more frames: the writer writes what is queued, then ends, closing with the
        /// request if there is one (none: the client closed).
        case finished(CloseRequest?)
    }

    enum Writer {
        /// Writing a frame, between frames, or gone.
        case busy
        /// Parked in `next`: there was nothing it could write. The queue is then empty.
        case parked(Waiter)
        /// A deliverer is writing a claimed frame; the writer task, once it asks for its next
        /// frame, waits behind it so that frames keep their order.
        case claimed(behind: Waiter?)
    }

    /// Hands a parked writer its next frame, or the end (nil).
    struct Wake {
        let writer: Waiter
        let frame: ByteBuffer?
    }

    enum Accepted {
        /// Queued (or held, or dropped as already replayed); wake the writer if there is one.
        case queued(Wake?)
        /// The caller writes the frame itself, then reports with `claimedWriteEnded`.
        case claimed
        /// The outbox is finished: nothing more goes out.
        case refused
        /// The queue was full: the outbox is now finished with a 1008 close.
        case overflowed(Wake?)
    }

    enum Next {
        case frame(ByteBuffer)
        case end
        /// The writer is parked: it is resumed by a later transition's `Wake`.
        case park
    }

    let capacity: Int
    private(set) var phase = Phase.open
    private(set) var writer = Writer.busy
    private var queue = CircularBuffer<ByteBuffer>()
    /// The newest seq a recovery replay carried: a live frame at or below it is a duplicate (a
    /// message can be logged, so replayed, before it is delivered live).
    private var replayedThrough = 0
    /// The writer task has written everything, or failed.
    private(set) var drained = false

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The close asked for, once the outbox is finished by one.
    var closeRequest: CloseRequest? {
        if case .finished(let request) = phase { return request }
        return nil
    }

    var writerIsParked: Bool {
        if case .parked = writer { return true }
        return false
    }

    /// A frame to send (`seq`: its place in the log, for a logged message). With `mayClaim`, an
    /// idle outbox (writer parked, nothing queued, socket writable) is claimed instead of
    /// queued: `isWritable` is asked only then.
    mutating func send(_ frame: ByteBuffer, seq: Int?, mayClaim: Bool, isWritable: () -> Bool) -> Accepted {
        if let seq, seq <= replayedThrough { return .queued(nil) }
        switch phase {
        case .finished:
            return .refused
        case .holding(var held):
            guard held.count < capacity else { return overflow() }
            phase = .open  // so that `held` is not copied to append to it
            held.append((seq, frame))
            phase = .holding(held)
            return .queued(nil)
        case .open:
            if mayClaim, queue.isEmpty, case .parked(let waiter) = writer, isWritable() {
                writer = .claimed(behind: waiter)
                return .claimed
            }
            guard queue.count < capacity else { return overflow() }
            queue.append(frame)
            return .queued(wakeWriter())
        }
    }

    /// A claimed frame's write is over; one that was not written goes out first with the
    /// writer (which meets the same failure if the socket is gone).
    mutating func claimedWriteEnded(_ frame: ByteBuffer, written: Bool) -> Wake? {
        guard case .claimed(let waiter) = writer else { return nil }
        if !written { queue.prepend(frame) }
        guard let waiter else {
            writer = .busy
            return nil
        }
        writer = .parked(waiter)
        return wakeWriter()
    }

    /// The writer task asks for its next frame.
    mutating func next(_ waiter: Waiter) -> Next {
        if case .claimed = writer {
            writer = .claimed(behind: waiter)
            return .park
        }
        if let frame = queue.popFirst() { return .frame(frame) }
        if case .finished = phase { return .end }
        writer = .parked(waiter)
        return .park
    }

    /// The writer task was cancelled while parked: resume it with the end.
    mutating func cancelWriter() -> Waiter? {
        switch writer {
        case .parked(let waiter):
            writer = .busy
            return waiter
        case .claimed(let waiter?):
            writer = .claimed(behind: nil)
            return waiter
        case .busy, .claimed(behind: nil):
            return nil
        }
    }

    /// From now on, live frames are held until `release`.
    mutating func hold() {
        if case .open = phase { phase = .holding([]) }
    }

    /// Queues `first` (the greeting and the replay), then the held frames newer than `seq` (older
    /// ones went out with the replay), and lets frames through again, but for those at or below
    /// `seq`.
    mutating func release(after seq: Int, first: [ByteBuffer]) -> Accepted {
        replayedThrough = seq
        var held: [(seq: Int?, frame: ByteBuffer)] = []
        switch phase {
        case .finished: return .refused
        case .holding(let frames):
            held = frames
            phase = .open
        case .open: break
        }
        for frame in first {
            guard queue.count < capacity else { return overflow() }
            queue.append(frame)
        }
        for (frameSeq, frame) in held where frameSeq.map({ $0 > seq }) ?? true {
            guard queue.count < capacity else { return overflow() }
            queue.append(frame)
        }
        return .queued(wakeWriter())
    }

    /// Ends the queue: the writer writes what is queued, then closes with `request`. The first
    /// close asked for wins; one asked for after the client closed is still sent.
    mutating func close(_ request: CloseRequest) -> Wake? {
        if closeRequest == nil { phase = .finished(request) }
        return wakeWriter()
    }

    /// Ends the queue without a close of our own (the client closed).
    mutating func finish() -> Wake? {
        if case .finished = phase {} else { phase = .finished(nil) }
        return wakeWriter()
    }

    mutating func markDrained() {
        drained = true
    }

    private mutating func overflow() -> Accepted {
        let why = DisconnectReason(code: "outbound-queue-full", closeCode: 1008)
        phase = .finished(CloseRequest(code: .policyViolation, reason: "outbound queue full", why: why))
        return .overflowed(wakeWriter())
    }

    /// A parked writer gets the next frame, or the end once the outbox is finished and empty.
    private mutating func wakeWriter() -> Wake? {
        guard case .parked(let waiter) = writer else { return nil }
        if let frame = queue.popFirst() {
            writer = .busy
            return Wake(writer: waiter, frame: frame)
        }
        if case .finished = phase {
            writer = .busy
            return Wake(writer: waiter, frame: nil)
        }
        return nil
    }
}

extension OutboxState.CloseRequest: Sendable {}
