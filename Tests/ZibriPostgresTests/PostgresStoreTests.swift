import Foundation
import Logging
import Testing
import ZibriPostgres
import ZibriStorage
import ZibriTesting

/// The PostgreSQL store on a real, throw-away PostgreSQL cluster (skipped, saying so, when
/// PostgreSQL is not installed).
@Suite(.timeLimit(.minutes(2)), .serialized) struct PostgresStoreTests {
    static var logger: Logger {
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .error
        return logger
    }

    /// One cluster for the whole test process; each store gets its own database.
    actor Cluster {
        private var started: TemporaryPostgres??
        func get() async throws -> TemporaryPostgres? {
            if let started { return started }
            let cluster = try await TemporaryPostgres.start()
            started = .some(cluster)
            return cluster
        }
    }

    static let cluster = Cluster()

    static func withCluster(_ body: (TemporaryPostgres) async throws -> Void) async throws {
        guard let cluster = try await Self.cluster.get() else {
            print("skipped: PostgreSQL binaries not found (install Debian's postgresql package)")
            return
        }
        try await body(cluster)
    }

    /// Runs `body` with a factory of migrated stores on fresh databases; their pools run meanwhile.
    static func withStores(
        _ cluster: TemporaryPostgres,
        _ body: @escaping @Sendable (@escaping @Sendable () async throws -> PostgresStore) async throws -> Void
    ) async throws {
        let logger = Self.logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (started, starter) = AsyncStream.makeStream(of: PostgresStore.self)
            group.addTask {
                await withTaskGroup(of: Void.self) { runs in
                    for await store in started { runs.addTask { try? await store.run() } }
                    runs.cancelAll()
                }
            }
            defer { group.cancelAll() }
            try await body {
                let store = try PostgresStore(url: try await cluster.makeDatabase(), logger: logger)
                starter.yield(store)
                try await store.migrate()
                return store
            }
            starter.finish()
        }
    }

    @Test func passesTheStoreConformanceSuite() async throws {
        try await Self.withCluster { cluster in
            try await Self.withStores(cluster) { makeStore in
                try await StoreConformanceSuite { try await makeStore() }.run()
            }
        }
    }
}
