/// Whether the store can be used now, from what `StoreHealthService`'s probes and the real
/// operations found: a pure state machine, tested without a store.
///
/// The store is unavailable while the last probe failed, while an operation has timed out
/// since the last good probe, while a probe has been waiting longer than `patience` and
/// nothing else got an answer meanwhile (a store that does not answer at all: a PostgreSQL
/// that is down makes a connection pool wait, not fail; a busy one answers the others), and for
/// good once the store was found corrupt.
struct StoreHealth: Sendable {
    enum Status: Sendable, Equatable {
        case available
        case unavailable(String)
    }

    /// How long a probe may wait before the store counts as not answering.
    let patience: Duration
    private var probeStarted: ContinuousClock.Instant?
    private var lastAnswer: ContinuousClock.Instant?
    private var failure: String?
    private var corruption: String?

    init(patience: Duration) {
        self.patience = patience
    }

    mutating func probeStarted(at now: ContinuousClock.Instant) {
        probeStarted = now
    }

    mutating func probeSucceeded() {
        probeStarted = nil
        failure = nil
    }

    /// An operation got its answer.
    mutating func answered(at now: ContinuousClock.Instant) {
        lastAnswer = now
    }

    mutating func probeFailed(_ reason: String) {
        probeStarted = nil
        failure = reason
    }

    /// An operation waited its whole time limit: until a probe gets through, fail fast.
    mutating func operationTimedOut(_ reason: String) {
        failure = reason
    }

    /// The store's file is damaged: no probe makes it usable again.
    mutating func foundCorrupt(_ reason: String) {
        corruption = corruption ?? reason
    }

    func status(at now: ContinuousClock.Instant) -> Status {
        if let corruption { return .unavailable(corruption) }
        if let failure { return .unavailable(failure) }
        if let probeStarted, now - probeStarted >= patience {
            let silence = lastAnswer.map { min(now - $0, now - probeStarted) } ?? (now - probeStarted)
            if silence >= patience { return .unavailable("the store has not answered for \(Self.seconds(silence))") }
        }
        return .available
    }

    private static func seconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10 + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
