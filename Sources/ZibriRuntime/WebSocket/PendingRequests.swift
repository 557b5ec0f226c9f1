import Foundation
import ZibriSchema

/// Server-to-client requests (`WebSocketService.request`) waiting for their `ws:ack`. Each
/// waiter ends exactly once: answered, timed out, cancelled, or failed when its connection ends.
final class PendingRequests: @unchecked Sendable {
    private struct Waiter {
        let connectionID: String
        let continuation: CheckedContinuation<JSONValue, any Error>
    }

    private let lock = NSLock()
    private var waiters: [String: Waiter] = [:]
    private var counter = 0

    /// A request id unique in this process.
    func nextID() -> String {
        lock.withLock {
            counter += 1
            return "r\(counter)"
        }
    }

    /// Registers the waiter, then `send`s the request (so an answer cannot overtake the
    /// registration), and waits. Cancelling the task ends the wait with `CancellationError`.
    func wait(id: String, connectionID: String, send: () -> Bool) async throws -> JSONValue {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.withLock { waiters[id] = Waiter(connectionID: connectionID, continuation: continuation) }
                if Task.isCancelled {
                    fail(id, with: CancellationError())
                } else if !send() {
                    fail(id, with: WebSocketError.connectionClosed(connectionID))
                }
            }
        } onCancel: {
            fail(id, with: CancellationError())
        }
    }

    /// Delivers a client's answer; false when no request of that connection has this id (it
    /// timed out, or never existed).
    func resolve(_ id: String, connectionID: String, with value: JSONValue) -> Bool {
        let waiter: Waiter? = lock.withLock {
            guard waiters[id]?.connectionID == connectionID else { return nil }
            return waiters.removeValue(forKey: id)
        }
        waiter?.continuation.resume(returning: value)
        return waiter != nil
    }

    func fail(_ id: String, with error: any Error) {
        lock.withLock { waiters.removeValue(forKey: id) }?.continuation.resume(throwing: error)
    }

    /// Ends every wait of a connection that has gone.
    func failAll(connectionID: String) {
        let ended = lock.withLock {
            let ids = waiters.filter { $0.value.connectionID == connectionID }.map(\.key)
            return ids.compactMap { waiters.removeValue(forKey: $0) }
        }
        for waiter in ended {
            waiter.continuation.resume(throwing: WebSocketError.connectionClosed(connectionID))
        }
    }

    var count: Int { lock.withLock { waiters.count } }
}
