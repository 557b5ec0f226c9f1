import NIOCore
import Synchronization

/// Which socket of a session runs its handlers, on this node, and where their answers go.
///
/// A session's messages are handled one at a time, in the order the client sent them, across
/// its sockets: when a session is resumed while its older socket's handlers still run (the old
/// socket dropped with messages queued, or the store was slow), the resumed socket's first
/// message waits until the older socket's worker has ended. The older worker's answers go to
/// the session's newest socket; an answer no socket can take (the old one is gone, the resumed
/// one is not there yet) is kept for the session, at most `maxParked` of them for `keepParked`,
/// and goes out after the resumed socket's greeting and replay. So every message a client sent
/// is answered once, on whichever socket the session has.
final class SessionTurns: Sendable {
    /// One socket's claim to run the session's handlers.
    struct Turn: Sendable {
        let connectionID: String
        let number: Int
        let outbox: Outbox
    }

    private struct Entry {
        /// The newest socket's outbox, until its worker ends.
        var outbox: Outbox?
        /// The turns whose workers have not ended, oldest first; the first one runs.
        var running: [Int] = []
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var parked: [ByteBuffer] = []
        var parkedSince: ContinuousClock.Instant?
        var next = 0
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Sessions holding parked answers, oldest first, for the sweep.
        var parkedOrder: [(connectionID: String, since: ContinuousClock.Instant)] = []
    }

    private let state = Mutex(State())
    let keepParked: Duration
    let maxParked: Int

    /// `keepParked` zero keeps no answers (recovery is off: no socket can resume the session).
    init(keepParked: Duration, maxParked: Int) {
        self.keepParked = keepParked
        self.maxParked = maxParked
    }

    /// A socket of the session begins: its outbox is the session's newest from now on. Returns
    /// its turn and the answers kept for the session, to be sent before anything else.
    func begin(_ outbox: Outbox) -> (turn: Turn, parked: [ByteBuffer]) {
        let id = outbox.connection.id
        let now = ContinuousClock.now
        return state.withLock { state in
            sweep(&state, now: now)
            var entry = state.entries[id] ?? Entry()
            entry.next += 1
            entry.outbox = outbox
            entry.running.append(entry.next)
            let parked = entry.parked
            entry.parked = []
            entry.parkedSince = nil
            state.entries[id] = entry
            return (Turn(connectionID: id, number: entry.next, outbox: outbox), parked)
        }
    }

    /// Returns once every older socket's worker of the session has ended.
    func waitForTurn(_ turn: Turn) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard state.entries[turn.connectionID]?.running.first != turn.number else { return true }
                state.entries[turn.connectionID]?.waiters[turn.number] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// An answer of `turn`'s worker: to the session's newest socket, or kept for the next one.
    func answer(_ frame: ByteBuffer, in turn: Turn) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard var entry = state.entries[turn.connectionID] else { return }
            if let outbox = entry.outbox, outbox.send(frame) { return }
            guard keepParked > .zero, entry.parked.count < maxParked else { return }
            if entry.parkedSince == nil {
                entry.parkedSince = now
                state.parkedOrder.append((turn.connectionID, now))
            }
            entry.parked.append(frame)
            state.entries[turn.connectionID] = entry
        }
    }

    /// `turn`'s worker has ended (or never started): the next socket's worker may run.
    func end(_ turn: Turn) {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard var entry = state.entries[turn.connectionID] else { return nil }
            entry.running.removeAll { $0 == turn.number }
            if entry.outbox === turn.outbox { entry.outbox = nil }
            let waiter = entry.running.first.flatMap { entry.waiters.removeValue(forKey: $0) }
            if entry.running.isEmpty, entry.outbox == nil, entry.parked.isEmpty {
                state.entries[turn.connectionID] = nil
            } else {
                state.entries[turn.connectionID] = entry
            }
            return waiter
        }
        next?.resume()
    }

    /// Whether the session of `turn` was resumed on another node: its socket was closed for that,
    /// and no newer socket of the session is here.
    func resumedElsewhere(_ turn: Turn) -> Bool {
        guard turn.outbox.closeRequest?.why.code == DisconnectReason.resumedCode else { return false }
        return state.withLock { $0.entries[turn.connectionID]?.outbox === turn.outbox }
    }

    /// Sessions known here: running, or holding answers. For the tests.
    var count: Int { state.withLock { $0.entries.count } }

    /// Drops the answers kept longer than `keepParked`: their session can no longer resume.
    private func sweep(_ state: inout State, now: ContinuousClock.Instant) {
        while let oldest = state.parkedOrder.first, now - oldest.since > keepParked {
            state.parkedOrder.removeFirst()
            guard var entry = state.entries[oldest.connectionID], entry.parkedSince == oldest.since else { continue }
            entry.parked = []
            entry.parkedSince = nil
            if entry.running.isEmpty, entry.outbox == nil {
                state.entries[oldest.connectionID] = nil
            } else {
                state.entries[oldest.connectionID] = entry
            }
        }
    }
}
