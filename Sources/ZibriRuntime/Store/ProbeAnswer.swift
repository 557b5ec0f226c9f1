import Synchronization

/// The first outcome of one store probe, handed to whoever waits for it: the probe's own
/// answer, its time running out, or the wait being cancelled, whichever comes first.
final class ProbeAnswer: Sendable {
    private let state = Mutex<(waiter: CheckedContinuation<Void, any Error>?, outcome: Result<Void, any Error>?)>(
        (nil, nil))

    func wait(_ waiter: CheckedContinuation<Void, any Error>) {
        let outcome: Result<Void, any Error>? = state.withLock { state in
            if state.outcome == nil { state.waiter = waiter }
            return state.outcome
        }
        if let outcome { waiter.resume(with: outcome) }
    }

    func finish(_ outcome: Result<Void, any Error>) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: outcome)
    }
}
