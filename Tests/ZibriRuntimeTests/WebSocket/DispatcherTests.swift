import Foundation
import Logging
import Testing
import Zibri
import ZibriSchema
import ZibriStorage

@testable import ZibriRuntime

/// The log path: concurrent senders share transactions, and each gets its own seq.
@Suite(.timeLimit(.minutes(1))) struct DispatcherTests {
    /// A store that counts its `append` calls (each is one transaction in SQL stores).
    actor CountingStore {
        let base = InMemoryStore()
        var appends = 0
        func append(_ entries: [LogEntry]) async -> [StoredMessage] {
            appends += 1
            return await base.append(entries)
        }
    }

    /// A store that cannot be read is retried less and less often, up to every 5 s.
    @Test func failedReadsAreRetriedWithAGrowingPause() {
        let delays = (1...8).map { Dispatcher.retryDelay(afterFailures: $0) }
        #expect(delays == [0.2, 0.4, 0.8, 1.6, 3.2, 5, 5, 5].map { Duration.milliseconds(Int($0 * 1000)) })
    }

    @Test func concurrentSendsAreLoggedInSharedBatchesWithDistinctSeqs() async throws {
        let counting = CountingStore()
        let store = AppendCounter(counting: counting)
        let live = LiveConnections()
        let dispatcher = Dispatcher(store: store, live: live, logger: Logger(label: "dispatcher-test"))
        let running = Task { try await dispatcher.run() }
        let seqs = try await withThrowingTaskGroup(of: Int.self) { group in
            for number in 0..<500 {
                group.addTask {
                    try await dispatcher.publish(LogEntry(recipient: .all, event: "n", data: .integer(number)))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        running.cancel()
        #expect(Set(seqs) == Set(1...500))
        let appends = await counting.appends
        // Five hundred senders at once, far fewer transactions.
        #expect(appends < 500)
        #expect(live.deliveredThrough == 500)
    }
}

/// Forwards everything to an in-memory store, counting appends.
struct AppendCounter: ForwardingStore {
    let counting: DispatcherTests.CountingStore
    var base: InMemoryStore { counting.base }

    func append(_ entries: [LogEntry]) async throws -> [StoredMessage] { await counting.append(entries) }
}
