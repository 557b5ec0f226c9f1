import Foundation
import Logging
import Metrics
import ServiceLifecycle
import ZibriSchema
import ZibriStorage

/// Runs a store's background work (a connection pool) until the server stops.
struct StoreService: Service {
    let store: any RunnableStore

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await store.run() }
        } catch is CancellationError {
            return
        }
    }
}
