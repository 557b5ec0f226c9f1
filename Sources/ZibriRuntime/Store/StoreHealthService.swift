import ServiceLifecycle
import ZibriStorage

/// Asks the store a cheap question every `interval`, so that `StoreHealthMonitor` knows within
/// a second when the store stops answering, and when it is back. A probe that gets no answer
/// within `probeTimeout` is cancelled and counts as failed: a pool's wait for a connection
/// that began during an outage must not outlive it.
struct StoreHealthService: Service {
    let store: any ZibriStore
    let monitor: StoreHealthMonitor
    var interval = Duration.milliseconds(250)
    var probeTimeout = Duration.seconds(2)

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                await monitor.waitUntilPrepared()
                while !Task.isCancelled {
                    monitor.probeStarted()
                    do {
                        try await probe()
                        monitor.probeSucceeded()
                    } catch is CancellationError {
                        return
                    } catch {
                        monitor.failed(error, probe: true)
                    }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }

    /// `lastSeq()` with a time limit. The question runs in a task of its own, which the
    /// service does not wait for: a driver that ignores cancellation (a PostgreSQL connection
    /// attempt to a server that is gone) would otherwise hold up the server's stop for ever;
    /// left behind, the task ends whenever the driver lets go.
    private func probe() async throws {
        let (store, timeout) = (self.store, probeTimeout)
        let answer = ProbeAnswer()
        let question = Task {
            do {
                _ = try await store.lastSeq()
                answer.finish(.success(()))
            } catch {
                answer.finish(.failure(error))
            }
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            answer.finish(
                .failure(
                    StoreError(
                        code: StoreError.timeoutCode, message: "the store did not answer a probe within \(timeout)")))
        }
        defer {
            timer.cancel()
            question.cancel()
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { answer.wait($0) }
        } onCancel: {
            answer.finish(.failure(CancellationError()))
        }
    }
}
