import Foundation
import Logging
import Metrics
import ServiceLifecycle
import ZibriSchema
import ZibriStorage

/// The single path of every logged message: senders hand their entries over and wait; one loop
/// takes everything waiting, logs it in one `append` (one transaction for SQLite: no fsync per
/// message), then delivers it to this process's connections in seq order, then lets the
/// senders go on. So a message is in the log before any client sees it, and a handler's
/// answer (which waits for its sends) goes out only after its messages are logged.
///
/// On a store shared by several nodes the log also grows from the other nodes: this loop is
/// then the one place that delivers, in seq order, everything up to the newest seq it knows
/// of (`catchUp(to:)`), reading from the log what other nodes wrote, so that each connection
/// gets every message in seq order, whichever node sent it.
final class Dispatcher: Service, @unchecked Sendable {
    private let store: any ZibriStore
    private let shared: (any SharedStore)?
    private let live: LiveConnections
    private let metrics: ZibriMetrics
    private let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    // Guarded by `lock`.
    private let lock = NSLock()
    private var waiting: [(entry: LogEntry, sender: CheckedContinuation<Int, any Error>)] = []
    private var accepting = true
    /// The newest seq known to be in the log (other nodes' included).
    private var target = 0

    /// Messages read from the log at a time when catching up.
    static let pageSize = 500
    /// Consecutive failed reads of the log; only the run loop touches it.
    private var failedReads = 0

    /// `shared`: the same store when several nodes share it.
    init(
        store: any ZibriStore, shared: (any SharedStore)? = nil, live: LiveConnections,
        metrics: ZibriMetrics = ZibriMetrics(), logger: Logger
    ) {
        self.store = store
        self.metrics = metrics
        self.shared = shared
        self.live = live
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Logs and delivers `entry`; returns its seq once both are done.
    func publish(_ entry: LogEntry) async throws -> Int {
        try await withCheckedThrowingContinuation { sender in
            let accepted = lock.withLock {
                guard accepting else { return false }
                waiting.append((entry, sender))
                return true
            }
            if accepted {
                wake.yield()
            } else {
                sender.resume(
                    throwing: WebSocketError(code: "shutting-down", message: "the server is stopping; nothing is sent"))
            }
        }
    }

    /// Another node logged messages up to `seq`: deliver them here too.
    func catchUp(to seq: Int) {
        lock.withLock { target = max(target, seq) }
        wake.yield()
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeups { await drain() }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        lock.withLock { accepting = false }
        await drain()
    }

    private func drain() async {
        while true {
            let (batch, target, stopping) = lock.withLock {
                defer { waiting.removeAll(keepingCapacity: true) }
                return (waiting, self.target, !accepting)
            }
            if batch.isEmpty && target <= live.deliveredThrough { return }
            var stored: [StoredMessage] = []
            if !batch.isEmpty {
                let started = ContinuousClock.now
                do {
                    stored = try await store.append(batch.map(\.entry))
                    metrics.appendDuration.record(duration: ContinuousClock.now - started)
                    metrics.appendBatchSize.record(batch.count)
                } catch {
                    metrics.appendFailures.increment()
                    logger.error("cannot log \(batch.count) messages: \(error)")
                    let failure = WebSocketError(
                        code: "storage-failed", message: "the message could not be logged: \(error)")
                    for item in batch { item.sender.resume(throwing: failure) }
                    continue
                }
            }
            do {
                try await deliver(through: max(target, stored.last?.seq ?? 0), known: stored)
            } catch {
                // Logged but not yet delivered here: the next round reads them from the log.
                failedReads += 1
                // Once, then every tenth time: a store that is down for a minute is a few lines.
                if failedReads == 1 || failedReads % 10 == 0 {
                    logger.error("cannot read the message log to deliver (\(failedReads) tries): \(error)")
                }
                lock.withLock { self.target = max(self.target, stored.last?.seq ?? 0) }
                for (item, message) in zip(batch, stored) { item.sender.resume(returning: message.seq) }
                if stopping { return }
                try? await Task.sleep(for: Self.retryDelay(afterFailures: failedReads))
                continue
            }
            failedReads = 0
            for (item, message) in zip(batch, stored) { item.sender.resume(returning: message.seq) }
        }
    }

    /// 0.2 s after the first failure, doubling up to 5 s.
    static func retryDelay(afterFailures failures: Int) -> Duration {
        .milliseconds(min(200 << min(max(failures - 1, 0), 5), 5000))
    }

    /// Delivers, in seq order, everything logged up to `seq`: `known` (the messages this node
    /// just logged) as they are, the rest read from the log.
    private func deliver(through seq: Int, known: [StoredMessage]) async throws {
        var known = known
        while live.deliveredThrough < seq {
            let delivered = live.deliveredThrough
            if let first = known.first, first.seq <= delivered + 1 || shared == nil {
                let fresh = known.filter { $0.seq > delivered }
                await live.deliver(fresh, frames: fresh.map(Self.frame))
                known = []
                continue
            }
            guard let shared else { return }
            let before = known.first.map { $0.seq - 1 } ?? seq
            let page = try await shared.messages(after: delivered, limit: Self.pageSize).filter { $0.seq <= before }
            if page.isEmpty {
                // Trimmed meanwhile: nothing left to deliver below `before`.
                live.skip(to: before)
            } else {
                await live.deliver(page, frames: page.map(Self.frame))
                // From another node's append to delivery here: the LISTEN/NOTIFY round and the read.
                let now = Date()
                for message in page { metrics.deliveryLag.record(now.timeIntervalSince(message.entry.at)) }
            }
        }
    }

    /// The frame of a logged message, as live clients and replays get it.
    static func frame(_ message: StoredMessage) -> String {
        let entry = message.entry
        let channel: String? = if case .channel(let name) = entry.recipient { name } else { nil }
        return ServerFrame.event(
            entry.event, data: entry.data, seq: message.seq, channel: channel, senderUserId: entry.senderUserID,
            senderConnectionId: entry.senderConnectionID
        ).jsonText
    }
}
