import Foundation
import HummingbirdWSClient
public import Logging
import NIOWebSocket
public import ZibriSchema

/// A Swift client of the Zibri protocol (docs/protocol.md) that stays connected: it reconnects
/// with exponential backoff and full jitter (so clients dropped together do not come back
/// together), recovers its session (token and last seq) on every reconnect, and drops
/// duplicates, so `events` is every message exactly once, in order, across disconnects.
///
/// ```swift
/// let client = ZibriClient(url: "ws://127.0.0.1:8080/ws", token: jwt)
/// async let running: Void = client.run()
/// let joined = try await client.request(event: "ws:join", body: ["channel": "room:1"])
/// for await event in client.events { ... }
/// ```
public final class ZibriClient: Sendable {
    public struct Configuration: Sendable {
        /// How long `request` waits for its answer.
        public var requestTimeout: Duration = .seconds(5)
        /// The first reconnect waits up to this; each failure doubles it, up to `maxBackoff`.
        public var initialBackoff: Duration = .milliseconds(250)
        public var maxBackoff: Duration = .seconds(30)
        /// After 4503 (the server is full) the backoff starts here instead.
        public var fullServerBackoff: Duration = .seconds(5)
        /// A Zibri server's first frame (`ws:connected` or `ws:refused`) follows the upgrade at
        /// once; a connection that has shown none after this long is dropped and made again. It
        /// also gets the client past a loss in SwiftNIO's HTTP/1 client upgrade: a refusal read
        /// together with the server's end of input is dropped, and the connection would wait for
        /// ever (see docs/protocol.md, "First frames").
        public var firstFrameTimeout: Duration = .seconds(5)

        public init() {}
    }

    /// Where the client stands.
    public struct Status: Sendable, Equatable {
        public var connectionID: String?
        public var sessionToken: String?
        /// The highest seq seen.
        public var lastSeq: Int = 0
        /// The epoch of the server's log that `lastSeq` counts in.
        public var epoch: String?
        public var connected = false
        /// How the last connection started: recovered, and how many messages were replayed.
        public var recovered = false
        public var replayed = 0
        /// Why the last recovery failed, if it did.
        public var recoveryFailure: String?
        /// The channels the connection is in since its greeting: its session's and its user's
        /// durable ones.
        public var channels: [String] = []
        /// Durable channels a re-check of the join policy ended at the last connect.
        public var dropped: [String] = []
    }

    public let url: String
    public let configuration: Configuration
    /// Every event, once each, in order; ends when the client stops.
    public let events: AsyncStream<ZibriEvent>
    private let eventSink: AsyncStream<ZibriEvent>.Continuation
    private let token: String?
    private let logger: Logger
    let box = StateBox()

    public init(
        url: String, token: String? = nil, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "zibri-client")
    ) {
        self.url = url
        self.token = token
        self.configuration = configuration
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: ZibriEvent.self)
    }

    public var status: Status { box.withLock { $0.status } }

    /// Connects and stays connected until `stop()` (then returns) or a refusal for good (then
    /// throws `refused`). Run it in a task of its own.
    public func run() async throws {
        defer { eventSink.finish() }
        var attempt = 0
        var backoffBase = configuration.initialBackoff
        while !box.withLock({ $0.stopped }) {
            let closeCode: WebSocketErrorCode?
            do {
                closeCode = try await connectOnce()
            } catch {
                logger.debug("connection failed: \(error)")
                closeCode = nil
            }
            endConnection()
            if box.withLock({ $0.stopped }) { return }
            switch closeCode.map({ Int(UInt16(webSocketErrorCode: $0)) }) {
            case 4401?, 4403?:
                throw ZibriClientError(code: "refused", message: "the server refused the connection (\(closeCode!))")
            case 4503?:
                backoffBase = configuration.fullServerBackoff
            default:
                if box.withLock({ $0.status.connected || $0.wasConnected }) {
                    attempt = 0
                    backoffBase = configuration.initialBackoff
                }
            }
            box.withLock { $0.wasConnected = false }
            try? await Task.sleep(for: Self.backoff(attempt: attempt, base: backoffBase, max: configuration.maxBackoff))
            attempt += 1
        }
    }

    /// Full jitter: a random wait between zero and the exponential bound.
    static func backoff(attempt: Int, base: Duration, max: Duration) -> Duration {
        let bound = min(base * (1 << min(attempt, 20)), max)
        let milliseconds = Double(bound.components.seconds) * 1000 + Double(bound.components.attoseconds) / 1e15
        return .milliseconds(Int.random(in: 0...Swift.max(1, Int(milliseconds))))
    }

    /// Stops reconnecting and closes the connection.
    public func stop() async {
        let writer = box.withLock {
            $0.stopped = true
            return $0.writer
        }
        try? await writer?.close(.normalClosure, reason: nil)
    }

    /// Sends a message without waiting for an answer.
    public func send(event: String, body: JSONValue = .null) async throws {
        try await write(["event": .string(event), "body": body])
    }

    /// Sends a message with an `ack` and returns the answer's `data`; throws `request-failed`
    /// with the problem when the server answers `ok: false`, `timeout` after
    /// `configuration.requestTimeout`, `connection-lost` when the connection drops first.
    public func request(event: String, body: JSONValue = .null, timeout: Duration? = nil) async throws -> JSONValue {
        let ack = box.withLock {
            $0.nextAck += 1
            return $0.nextAck
        }
        let limit = timeout ?? configuration.requestTimeout
        // Registered before the write: an answer that comes before its waiter is kept for it.
        box.withLock { $0.waiting[ack] = Waiter() }
        return try await withThrowingTaskGroup(of: JSONValue.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    let early: Result<JSONValue, any Error>? = self.box.withLock { state in
                        guard var waiter = state.waiting[ack] else { return .failure(CancellationError()) }
                        if let result = waiter.result {
                            state.waiting[ack] = nil
                            return result
                        }
                        waiter.continuation = continuation
                        state.waiting[ack] = waiter
                        return nil
                    }
                    if let early { continuation.resume(with: early) }
                }
            }
            do {
                try await write(["event": .string(event), "body": body, "ack": .integer(ack)])
            } catch {
                finish(ack, .failure(error))
            }
            group.addTask {
                try await Task.sleep(for: limit)
                throw ZibriClientError(code: "timeout", message: "no answer to '\(event)' within \(limit)")
            }
            defer {
                group.cancelAll()
                finish(ack, .failure(CancellationError()), keep: false)
            }
            return try await group.next()!
        }
    }

    /// Answers a server request (`event.requestID`).
    public func respond(to event: ZibriEvent, with body: JSONValue) async throws {
        guard let id = event.requestID else { return }
        try await write(["event": "ws:ack", "requestId": .string(id), "body": body])
    }

    // MARK: The connection

    /// How a connection attempt's two tasks end.
    private enum Outcome: Sendable {
        case closed(WebSocketErrorCode?)
        case noFirstFrame
        case firstFrameCame
    }

    private func connectOnce() async throws -> WebSocketErrorCode? {
        var components = URLComponents(string: url)
        var query = components?.queryItems ?? []
        if let token { query.append(URLQueryItem(name: "access_token", value: token)) }
        let status = box.withLock { $0.status }
        if let session = status.sessionToken {
            query.append(URLQueryItem(name: "session", value: session))
            query.append(URLQueryItem(name: "lastSeq", value: String(status.lastSeq)))
            if let epoch = status.epoch { query.append(URLQueryItem(name: "epoch", value: epoch)) }
        }
        components?.queryItems = query.isEmpty ? nil : query
        let target = components?.string ?? url
        box.withLock {
            $0.attempts += 1
            $0.sawFirstFrame = false
        }
        // Our close, when the first frame does not come, is not answered: wait a moment only.
        let webSocket = WebSocketClientConfiguration(closeTimeout: .seconds(1))
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask {
                let close = try await WebSocketClient.connect(
                    url: target, configuration: webSocket, logger: self.logger
                ) {
                    inbound, outbound, _ in
                    self.box.withLock { $0.writer = outbound }
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        self.box.withLock { $0.sawFirstFrame = true }
                        guard case .text(let text) = message,
                            let frame = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
                        else { continue }
                        self.receive(frame)
                    }
                }
                return .closed(close?.closeCode)
            }
            group.addTask { [timeout = configuration.firstFrameTimeout] in
                try await Task.sleep(for: timeout)
                return self.box.withLock { $0.sawFirstFrame } ? .firstFrameCame : .noFirstFrame
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .closed(let code):
                    group.cancelAll()
                    return code
                case .noFirstFrame:
                    logger.debug("no first frame after \(configuration.firstFrameTimeout): connecting again")
                    // Ends the connection: HummingbirdWSClient closes its input when cancelled.
                    group.cancelAll()
                case .firstFrameCame:
                    continue
                }
            }
            return nil
        }
    }

    private func receive(_ frame: JSONValue) {
        switch frame["event"]?.string {
        case "ws:connected"?:
            let data = frame["data"]
            box.withLock { state in
                let recovered = data?["recovered"] == true
                state.status.connected = true
                state.wasConnected = true
                state.status.connectionID = data?["connectionId"]?.string
                state.status.sessionToken = data?["sessionToken"]?.string
                state.status.recovered = recovered
                state.status.replayed = data?["replayed"]?.int ?? 0
                state.status.recoveryFailure = data?["reason"]?.string
                state.status.epoch = data?["epoch"]?.string
                state.status.channels = data?["channels"]?.array?.compactMap(\.string) ?? []
                state.status.dropped = data?["dropped"]?.array?.compactMap(\.string) ?? []
                // A fresh session starts at the server's present, even below the seq we saw (its
                // log may be another one: `reason: "epoch"`); a recovered one goes on.
                if !recovered { state.status.lastSeq = data?["lastSeq"]?.int ?? 0 }
            }
        case "ws:response"?:
            guard let ack = frame["ack"]?.int else {
                logger.debug("the server refused a message: \(frame["error"] ?? .null)")
                return
            }
            if frame["ok"] == true {
                finish(ack, .success(frame["data"] ?? .null))
            } else {
                var error = ZibriClientError(
                    code: "request-failed", message: frame["error"]?["detail"]?.string ?? "the request failed")
                error.status = frame["status"]?.int
                error.problem = frame["error"]
                finish(ack, .failure(error))
            }
        case "ws:refused"?:
            logger.info("refused: \(frame["error"]?["detail"]?.string ?? "")")
        case let name?:
            let seq = frame["seq"]?.int
            if let seq {
                // Already seen (a replay overlapping what arrived live): drop it.
                let fresh = box.withLock { state in
                    guard seq > state.status.lastSeq else { return false }
                    state.status.lastSeq = seq
                    return true
                }
                guard fresh else { return }
            }
            eventSink.yield(
                ZibriEvent(
                    event: name, data: frame["data"] ?? .null, seq: seq, channel: frame["channel"]?.string,
                    senderUserID: frame["senderUserId"]?.string,
                    senderConnectionID: frame["senderConnectionId"]?.string,
                    requestID: frame["requestId"]?.string))
        case nil:
            break
        }
    }

    private func endConnection() {
        let acks = box.withLock { state in
            state.writer = nil
            state.status.connected = false
            return Array(state.waiting.keys)
        }
        let lost = ZibriClientError(code: "connection-lost", message: "the connection dropped before the answer")
        for ack in acks { finish(ack, .failure(lost)) }
    }

    private func write(_ frame: JSONValue) async throws {
        guard let writer = box.withLock({ $0.writer }) else {
            throw ZibriClientError(code: "not-connected", message: "the client is not connected")
        }
        try await writer.write(.text(frame.jsonText))
    }

    /// Ends the wait for `ack` with `result`; a result with no waiter yet is kept for it
    /// (unless `keep` is false: the request is over).
    private func finish(_ ack: Int, _ result: Result<JSONValue, any Error>, keep: Bool = true) {
        let continuation: CheckedContinuation<JSONValue, any Error>? = box.withLock { state in
            guard var waiter = state.waiting[ack] else { return nil }
            if let continuation = waiter.continuation {
                state.waiting[ack] = nil
                return continuation
            }
            if keep, waiter.result == nil {
                waiter.result = result
                state.waiting[ack] = waiter
            } else if !keep {
                state.waiting[ack] = nil
            }
            return nil
        }
        continuation?.resume(with: result)
    }

    /// A request waiting for its answer: the task's continuation, or an answer that came first.
    struct Waiter {
        var continuation: CheckedContinuation<JSONValue, any Error>?
        var result: Result<JSONValue, any Error>?
    }

    /// The client's mutable state, behind a lock.
    final class StateBox: @unchecked Sendable {
        struct State {
            var status = Status()
            var writer: WebSocketOutboundWriter?
            var waiting: [Int: Waiter] = [:]
            var nextAck = 0
            var stopped = false
            var wasConnected = false
            /// Connections tried, for the tests.
            var attempts = 0
            /// Whether the current connection has shown a frame yet.
            var sawFirstFrame = false
        }

        private let lock = NSLock()
        private var state = State()

        func withLock<T>(_ body: (inout State) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&state)
        }
    }
}
