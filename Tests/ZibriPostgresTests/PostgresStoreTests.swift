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

    static func withCluster(_ body: (TemporaryPostgres) async throws -> Void) async throws {
        guard let cluster = try await TemporaryPostgres.shared() else {
            print(TemporaryPostgres.skipped)
            return
        }
        try await body(cluster)
    }

    /// Runs `body` with a factory of migrated stores, on `url` or else a fresh database; their
    /// pools and listeners run meanwhile.
    static func withStores(
        _ cluster: TemporaryPostgres,
        _ body:
            @escaping @Sendable (@escaping @Sendable (_ url: String?) async throws -> PostgresStore) async throws ->
            Void
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
            try await body { url in
                let database = if let url { url } else { try await cluster.makeDatabase() }
                let store = try PostgresStore(url: database, logger: logger)
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
                try await StoreConformanceSuite { try await makeStore(nil) }.run()
            }
        }
    }

    /// The next notice that matches, within 10 seconds.
    static func next(
        _ notices: inout AsyncStream<ClusterNotice>.Iterator, _ matches: (ClusterNotice) -> Bool = { _ in true }
    ) async throws -> ClusterNotice {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard let notice = await notices.next() else { break }
            if matches(notice) { return notice }
        }
        throw NoNotice()
    }

    struct NoNotice: Error {}

    @Test func nodesHearWhatEachOtherLogsAndAnnounces() async throws {
        try await Self.withCluster { cluster in
            let url = try await cluster.makeDatabase()
            try await Self.withStores(cluster) { makeStore in
                let first = try await makeStore(url)
                let second = try await makeStore(url)
                var heard = second.notices.makeAsyncIterator()
                #expect(try await Self.next(&heard) == .listening)
                let stored = try await first.append([
                    LogEntry(recipient: .channel("room:1"), event: "a", data: 1),
                    LogEntry(recipient: .user("u1"), event: "b", data: 2),
                ])
                #expect(try await Self.next(&heard) == .logged(through: stored.last!.seq))
                // The notice names the seq; the rows come from the log, whoever they were for.
                // (Times go through a double of seconds since 1970: compare the rest.)
                func summary(_ messages: [StoredMessage]) -> [String] {
                    messages.map { "\($0.seq) \($0.entry.recipient) \($0.entry.event) \($0.entry.data.jsonText)" }
                }
                #expect(summary(try await second.messages(after: 0, limit: 10)) == summary(stored))
                #expect(summary(try await second.messages(after: stored[0].seq, limit: 10)) == summary([stored[1]]))
                #expect(summary(try await second.messages(after: 0, limit: 1)) == summary([stored[0]]))
                let close = ClusterNotice.close(origin: "n1", connectionID: "c1", code: 4409, reason: "moved")
                try await first.announce(close)
                #expect(try await Self.next(&heard) == close)
                let released = ClusterNotice.released(
                    origin: "n1", connectionID: "c1", answers: [#"{"ack":1,"event":"ws:response"}"#])
                try await first.announce(released)
                #expect(try await Self.next(&heard) == released)
                // A volatile message too large for NOTIFY is refused, saying why.
                let huge = ClusterNotice.volatile(
                    origin: "n1", recipient: .all, excluding: nil, frame: String(repeating: "x", count: 9_000))
                await #expect(throws: StoreError.self) { try await first.announce(huge) }
            }
        }
    }

    @Test func aListenerThatLosesItsConnectionListensAgain() async throws {
        try await Self.withCluster { cluster in
            let url = try await cluster.makeDatabase()
            try await Self.withStores(cluster) { makeStore in
                let listening = try await makeStore(url)
                let writer = try await makeStore(url)
                var heard = listening.notices.makeAsyncIterator()
                #expect(try await Self.next(&heard) == .listening)
                try await cluster.terminateListeners(database: TemporaryPostgres.database(of: url))
                // Deaf for a moment, then listening again (the node then catches up from the log).
                #expect(try await Self.next(&heard) == .listening)
                let stored = try await writer.append([LogEntry(recipient: .all, event: "a", data: 1)])
                #expect(try await Self.next(&heard) { $0 != .listening } == .logged(through: stored[0].seq))
            }
        }
    }

    @Test func nodesStartingAtOnceMigrateOnce() async throws {
        try await Self.withCluster { cluster in
            let url = try await cluster.makeDatabase()
            try await Self.withStores(cluster) { makeStore in
                // makeStore migrates: three at once, each waiting its turn at the advisory lock.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 { group.addTask { _ = try await makeStore(url) } }
                    try await group.waitForAll()
                }
                let store = try await makeStore(url)
                _ = try await store.append([LogEntry(recipient: .all, event: "a", data: 1)])
                #expect(try await store.lastSeq() == 1)
            }
        }
    }

    @Test func silentNodesAreReapedAndTheirSessionsClosedAtTheirLastBeat() async throws {
        try await Self.withCluster { cluster in
            try await Self.withStores(cluster) { makeStore in
                let store = try await makeStore(nil)
                let early = Date(timeIntervalSince1970: 1_000)
                let late = Date(timeIntervalSince1970: 2_000)
                #expect(try await store.beat(nodeID: "dead", at: early) == false)
                #expect(try await store.beat(nodeID: "alive", at: late) == false)
                #expect(try await store.beat(nodeID: "alive", at: late) == true)
                try await store.openSession(
                    SessionRecord(token: "t1", connectionID: "c1", userID: nil, nodeID: "dead", connectedAt: early))
                try await store.openSession(
                    SessionRecord(token: "t2", connectionID: "c2", userID: nil, nodeID: "alive", connectedAt: late))
                #expect(try await store.reapNodes(silentSince: Date(timeIntervalSince1970: 1_500)) == ["dead"])
                #expect(try await store.session(token: "t1")?.disconnectedAt == early)
                #expect(try await store.session(token: "t2")?.disconnectedAt == nil)
                #expect(try await store.reapNodes(silentSince: Date(timeIntervalSince1970: 1_500)) == [])
                // A reaped node that beats again learns that it was taken for dead.
                #expect(try await store.beat(nodeID: "dead", at: late) == false)
            }
        }
    }

    @Test func failuresSayWhatPostgreSQLSaid() async throws {
        try await Self.withCluster { cluster in
            // A database that is not there: preparing fails at once, naming PostgreSQL's SQLSTATE
            // and message.
            let missing = try PostgresStore(url: cluster.url(database: "no_such_database"), logger: Self.logger)
            let running = Task { try await missing.run() }
            defer { running.cancel() }
            do {
                try await missing.prepare()
                Issue.record("preparing a store on a missing database succeeded")
            } catch let error as StoreError {
                #expect(error.code == "postgres-error")
                #expect(error.message.contains("3D000"), "\(error.message)")
                #expect(error.message.contains("no_such_database"), "\(error.message)")
            }
        }
    }
}
