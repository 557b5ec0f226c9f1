import Foundation
import Logging
import Metrics
import ServiceLifecycle
import ZibriSchema
import ZibriStorage

/// Trims the log and expired sessions every so often, so the store stays bounded under constant
/// traffic: messages older than the recovery window; sessions once they have been expired for
/// another window (at least a minute), so that a client coming back late still hears `expired`
/// rather than `unknown`.
struct RetentionService: Service {
    let store: any ZibriStore
    let window: Duration
    let logger: Logger

    /// A quarter of the window, between one second and a minute.
    var interval: Duration { min(max(window / 4, .seconds(1)), .seconds(60)) }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    let cutoff = Date().addingTimeInterval(-window.seconds)
                    let sessionCutoff = cutoff.addingTimeInterval(-max(window.seconds, 60))
                    do {
                        try await store.trim(messagesBefore: cutoff, sessionsBefore: sessionCutoff)
                    } catch {
                        logger.error("trimming the message log failed: \(error)")
                    }
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
