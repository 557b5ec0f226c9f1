import Synchronization
import ZibriStorage

/// The store's health, shared by the probes, the guarded store and `/ready`: a locked
/// `StoreHealth`, read without waiting on the store.
final class StoreHealthMonitor: Sendable {
    private let health: Mutex<StoreHealth>
    /// Finished once the store is prepared (a pool runs, migrations are done): probes before
    /// that would only wait.
    private let prepared: AsyncStream<Void>
    private let markPrepared: AsyncStream<Void>.Continuation

    init(patience: Duration = .milliseconds(750)) {
        health = Mutex(StoreHealth(patience: patience))
        (prepared, markPrepared) = AsyncStream.makeStream(of: Void.self)
    }

    func storePrepared() {
        markPrepared.finish()
    }

    /// Returns once the store is prepared, or the task is cancelled.
    func waitUntilPrepared() async {
        for await _ in prepared {}
    }

    var status: StoreHealth.Status {
        let now = ContinuousClock.now
        return health.withLock { $0.status(at: now) }
    }

    func probeStarted() {
        let now = ContinuousClock.now
        health.withLock { $0.probeStarted(at: now) }
    }

    func answered() {
        let now = ContinuousClock.now
        health.withLock { $0.answered(at: now) }
    }

    func probeSucceeded() {
        health.withLock { $0.probeSucceeded() }
    }

    /// A probe or an operation failed with `error`; only a damaged file and a timeout say
    /// anything about the store as a whole (a full disk fails writes, not the probe's read).
    func failed(_ error: any Error, probe: Bool) {
        let reason = "\(error)"
        health.withLock { health in
            switch (error as? StoreError)?.code {
            case StoreError.corruptCode: health.foundCorrupt(reason)
            case _ where probe: health.probeFailed(reason)
            case StoreError.timeoutCode: health.operationTimedOut(reason)
            default: break
            }
        }
    }
}
