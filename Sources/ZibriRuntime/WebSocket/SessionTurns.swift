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
///
/// A session resumed from another node waits, at most `patience`, for that node to say it has
/// released the older socket (`ClusterNotice.released`, with the answers it could not write).
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
        /// The turn standing for an older socket on another node, until it is released.
        var remote: Int?
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

    /// The session's older socket is held by another node, which is about to be asked to let it
    /// go: the session's next turn waits for its release. Called before asking, so that a quick
    /// release is not missed.
    func awaitRelease(_ connectionID: String) {
        state.withLock { state in
            var entry = state.entries[connectionID] ?? Entry()
            guard entry.remote == nil else { return }
            entry.next += 1
            entry.remote = entry.next
            entry.running.append(entry.next)
            state.entries[connectionID] = entry
        }
    }

    /// Like `waitForTurn`, but an older socket on another node is waited for at most `patience`:
    /// a node that died, or missed the resumption, never releases it.
    func waitForTurn(_ turn: Turn, patience: Duration) async {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForTurn(turn)
                return true
            }
            group.addTask { (try? await Task.sleep(for: patience)) == nil }
            while let done = await group.next() {
                if done { break }
                released(turn.connectionID, answers: [])  // the wait for local ones goes on
            }
            group.cancelAll()
        }
    }

    /// An answer of `turn`'s worker: to the session's newest socket, or kept for the next one.
    func answer(_ frame: ByteBuffer, in turn: Turn) {
        let now = ContinuousClock.now
        state.withLock { state in deliver(frame, to: turn.connectionID, &state, now: now) }
    }

    /// The other node that held the session's older socket has released it: its answers go to
    /// the newest socket (or are kept), and the turn waiting for it may run.
    func released(_ connectionID: String, answers: [ByteBuffer]) {
        let now = ContinuousClock.now
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            for answer in answers { deliver(answer, to: connectionID, &state, now: now) }
            guard let remote = state.entries[connectionID]?.remote else { return nil }
            state.entries[connectionID]?.remote = nil
            return finish(remote, of: connectionID, outbox: nil, &state)
        }
        next?.resume()
    }

    /// The answers kept for a session, taken (to hand them to the node that resumed it).
    func takeParked(_ connectionID: String) -> [ByteBuffer] {
        state.withLock { state in
            guard var entry = state.entries[connectionID] else { return [] }
            let parked = entry.parked
            entry.parked = []
            entry.parkedSince = nil
            state.entries[connectionID] = entry.running.isEmpty && entry.outbox == nil ? nil : entry
            return parked
        }
    }

    /// `turn`'s worker has ended (or never started): the next socket's worker may run.
    func end(_ turn: Turn) {
        let next = state.withLock { state in
            finish(turn.number, of: turn.connectionID, outbox: turn.outbox, &state)
        }
        next?.resume()
    }

    private func deliver(
        _ frame: ByteBuffer, to connectionID: String, _ state: inout State, now: ContinuousClock.Instant
    ) {
        guard var entry = state.entries[connectionID] else { return }
        if let outbox = entry.outbox, outbox.send(frame) { return }
        guard keepParked > .zero, entry.parked.count < maxParked else { return }
        if entry.parkedSince == nil {
            entry.parkedSince = now
            state.parkedOrder.append((connectionID, now))
        }
        entry.parked.append(frame)
        state.entries[connectionID] = entry
    }

    /// Ends turn `number`; returns the waiter whose turn it is now.
    private func finish(
        _ number: Int, of connectionID: String, outbox: Outbox?, _ state: inout State
    ) -> CheckedContinuation<Void, Never>? {
        guard var entry = state.entries[connectionID] else { return nil }
        entry.running.removeAll { $0 == number }
        if let outbox, entry.outbox === outbox { entry.outbox = nil }
        let waiter = entry.running.first.flatMap { entry.waiters.removeValue(forKey: $0) }
        if entry.running.isEmpty, entry.outbox == nil, entry.parked.isEmpty {
            state.entries[connectionID] = nil
        } else {
            state.entries[connectionID] = entry
        }
        return waiter
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
