import Foundation
import NIOWebSocket

/// Why a connection ended, as `lifecycle.onDisconnect` handlers see it.
public struct DisconnectReason: Sendable, Hashable, CustomStringConvertible {
    /// A stable code: `client-closed`, `server-closed`, `message-too-large`, `rate-limited`,
    /// `binary-frame`, `outbound-queue-full` or `error`.
    public let code: String
    /// The WebSocket close code the server sent, if it was the server that closed.
    public let closeCode: Int?

    public var description: String { closeCode.map { "\(code) (\($0))" } ?? code }

    static let clientClosed = DisconnectReason(code: "client-closed", closeCode: nil)
    static let error = DisconnectReason(code: "error", closeCode: nil)
}

/// One connection's outgoing frames: a bounded queue drained by the connection's writer task,
/// so a sender never waits on a slow client. A client that lets the queue fill is closed with
/// 1008; `WebSocketService.disconnect` closes through the same queue, after the frames before it.
final class Outbox: @unchecked Sendable {
    let connection: WebSocketConnection
    private let continuation: AsyncStream<String>.Continuation
    let frames: AsyncStream<String>
    // Guarded by `lock`; set once, read by the writer task when the queue ends.
    private let lock = NSLock()
    private var closing: (code: WebSocketErrorCode, reason: String, why: DisconnectReason)?

    init(connection: WebSocketConnection, capacity: Int) {
        self.connection = connection
        (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Queues a frame; false when the connection is closing or its queue is full (the client
    /// is not reading: the queue ends and the writer task closes the connection with 1008).
    @discardableResult
    func send(_ frame: String) -> Bool {
        switch continuation.yield(frame) {
        case .enqueued:
            return true
        case .dropped:
            close(.policyViolation, reason: "outbound queue full", why: "outbound-queue-full")
            return false
        case .terminated:
            return false
        @unknown default:
            return false
        }
    }

    /// Ends the queue; the writer task writes what is queued, then closes with `code`. The
    /// first close asked for wins.
    func close(_ code: WebSocketErrorCode, reason: String, why: String) {
        lock.withLock {
            if closing == nil {
                closing = (code, reason, DisconnectReason(code: why, closeCode: Int(UInt16(webSocketErrorCode: code))))
            }
        }
        continuation.finish()
    }

    /// The close asked for, if any.
    var closeRequest: (code: WebSocketErrorCode, reason: String, why: DisconnectReason)? { lock.withLock { closing } }

    /// Ends the queue without a close of our own (the client closed).
    func finish() {
        continuation.finish()
    }
}

/// The connections of this process, by id. The lock covers a dictionary lookup only, never a
/// write to a socket: senders copy the outboxes out and queue frames without it.
final class LiveConnections: @unchecked Sendable {
    private let lock = NSLock()
    private var outboxes: [String: Outbox] = [:]

    func add(_ outbox: Outbox) { lock.withLock { outboxes[outbox.connection.id] = outbox } }
    func remove(_ id: String) { _ = lock.withLock { outboxes.removeValue(forKey: id) } }
    func outbox(_ id: String) -> Outbox? { lock.withLock { outboxes[id] } }
    func outboxes(_ ids: [String]) -> [Outbox] { lock.withLock { ids.compactMap { outboxes[$0] } } }
    func all() -> [Outbox] { lock.withLock { Array(outboxes.values) } }
    var count: Int { lock.withLock { outboxes.count } }
}
