import Foundation
import Logging
import ServiceLifecycle
import ZibriSchema
import ZibriStorage

/// The single path of every logged message: senders hand their entries over and wait; one loop
/// takes everything waiting, logs it in one `append` (one transaction for SQLite: no fsync per
/// message), then delivers it to this process's connections in seq order, then lets the
/// senders go on. So a message is in the log before any client sees it, and a handler's
/// answer (which waits for its sends) goes out only after its messages are logged.
final class Dispatcher: Service, @unchecked Sendable {
    private let store: any ZibriStore
    private let live: LiveConnections
    private let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    // Guarded by `lock`.
    private let lock = NSLock()
    private var waiting: [(entry: LogEntry, sender: CheckedContinuation<Int, any Error>)] = []
    private var accepting = true

    init(store: any ZibriStore, live: LiveConnections, logger: Logger) {
        self.store = store
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
            let batch = lock.withLock {
                defer { waiting.removeAll(keepingCapacity: true) }
                return waiting
            }
            if batch.isEmpty { return }
            do {
                let stored = try await store.append(batch.map(\.entry))
                live.deliver(stored, frames: stored.map(Self.frame))
                for (item, message) in zip(batch, stored) { item.sender.resume(returning: message.seq) }
            } catch {
                logger.error("cannot log \(batch.count) messages: \(error)")
                let failure = WebSocketError(
                    code: "storage-failed", message: "the message could not be logged: \(error)")
                for item in batch { item.sender.resume(throwing: failure) }
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

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
