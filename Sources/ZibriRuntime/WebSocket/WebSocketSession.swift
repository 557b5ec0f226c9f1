import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Metrics
import NIOCore
import NIOWebSocket
import ZibriSchema
import ZibriStorage
import ZibriValidation

/// A spec WebSocket route, compiled at start-up.
struct CompiledWebSocketRoute: Sendable {
    let event: String
    let handlerName: String
    let handler: WebSocketHandlers.Erased
    let body: Validator?
    /// Checks the handler's answer when `validateResponses` is on.
    let response: Validator?
    let auth: AuthRequirement
    let roles: [String]
    let metrics: ZibriMetrics.RouteMetrics
}

/// The result of a client message: the answer's data, or the problem to answer with.
enum Outcome {
    case success(AnswerData)
    case failure(ProblemDocument)
}

/// The result of a handshake: accepted (with the user, or none), or the problem to refuse it with.
enum Admission {
    case accepted(Handshake)
    case refused(ProblemDocument)
}

/// The user of a handshake (or none), or the problem to refuse it with.
enum Authentication {
    case success(User?)
    case failure(ProblemDocument)
}

/// The spec's `websocket.recovery`.
struct RecoverySettings: Sendable {
    var enabled: Bool
    /// How long a disconnected session can be recovered.
    var window: Duration
    /// More messages owed than this: no recovery (`too_many`).
    var maxReplay: Int
}

/// What every connection shares: the route table, the service, the limits.
struct WebSocketRuntime: Sendable {
    let path: String
    let routes: [String: CompiledWebSocketRoute]
    let service: WebSocketService
    let connectionAuth: AuthRequirement
    let authenticator: JWTAuthenticator?
    /// Browser origins allowed besides the request's own (`websocket.connection.allowedOrigins`).
    let allowedOrigins: [String]
    let maxMessageBytes: Int
    let messagesPerSecond: Int
    let maxConnections: Int
    let outboundQueueSize: Int
    /// Messages of one connection waiting for its handler worker; more are answered 429.
    let maxPendingMessages: Int
    /// Channel patterns clients may join with `ws:join`.
    let clientJoinPatterns: Set<String>
    let connectPolicy: Policies.ConnectPolicy?
    /// Join policies by channel pattern.
    let joinPolicies: [String: Policies.JoinPolicy]
    let onConnect: WebSocketHandlers.ConnectHandler?
    let onDisconnect: WebSocketHandlers.DisconnectHandler?
    let nodeID: String
    /// How long a close may take to be written before the socket is dropped.
    let closeTimeout: Duration
    let recovery: RecoverySettings
    let validateResponses: Bool
    let metrics: ZibriMetrics
    let logger: Logger

    /// The user of the handshake (a bearer header, or `access_token` for browsers), or the
    /// problem to refuse it with.
    func authenticate(headers: HTTPFields, query: [String: String]) async -> Authentication {
        var token: String?
        if let header = headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .failure(Self.refusal(401, "the Authorization header is not 'Bearer TOKEN'"))
            }
            token = String(parts[1])
        } else {
            token = query["access_token"]
        }
        guard let token, let authenticator else {
            return connectionAuth == .required
                ? .failure(Self.refusal(401, "this endpoint needs a bearer token")) : .success(nil)
        }
        do {
            return .success(try await authenticator.authenticate(token: token))
        } catch {
            return .failure(Self.refusal(401, error.detail))
        }
    }

    /// The origin check, authentication, then the connection policy. `host` is the request's
    /// (the `Host` header), for the same-origin rule.
    func admit(headers: HTTPFields, query: [String: String], host: String? = nil) async -> Admission {
        // A browser sends its page's origin, and sends the user's cookies to any site's socket:
        // a page of another site must not act as the user. Programs send no Origin.
        if let origin = headers[.origin], !Origins.allows(origin: origin, host: host, allowed: allowedOrigins) {
            return .refused(
                Self.refusal(
                    403, "the origin '\(origin.prefix(100))' may not connect (websocket.connection.allowedOrigins)"))
        }
        let user: User?
        switch await authenticate(headers: headers, query: query) {
        case .success(let authenticated): user = authenticated
        case .failure(let problem): return .refused(problem)
        }
        var headerValues: [String: String] = [:]
        for field in headers { headerValues[field.name.canonicalName] = field.value }
        let handshake = Handshake(headers: headerValues, query: query, user: user)
        guard let connectPolicy else { return .accepted(handshake) }
        do {
            if try await connectPolicy(handshake) {
                return .accepted(handshake)
            }
        } catch {
            logger.error("the connection policy failed: \(error)")
        }
        return .refused(Self.refusal(403, "the connection policy refused this connection"))
    }

    static func problem(_ status: Int, _ detail: String) -> ProblemDocument {
        let titles = [404: "Not Found", 413: "Content Too Large", 429: "Too Many Requests"]
        return ProblemDocument(type: "about:blank", title: titles[status] ?? "Error", status: status, detail: detail)
    }

    static func refusal(_ status: Int, _ detail: String) -> ProblemDocument {
        let titles = [401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable"]
        return ProblemDocument(type: "about:blank", title: titles[status] ?? "Refused", status: status, detail: detail)
    }

    /// Serves one upgraded connection until it closes. Rethrows what stopped the reading (such
    /// as invalid UTF-8) so that HummingbirdWebSocket closes with the code it calls for (1007).
    func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel, admission: Admission
    ) async throws {
        let handshake: Handshake
        switch admission {
        case .refused(let problem):
            await refuse(outbound, problem)
            return
        case .accepted(let accepted):
            handshake = accepted
        }
        if service.live.isStopping {
            // Refused before the greeting, so that the client waits (and goes to another node)
            // rather than coming straight back.
            await refuse(outbound, Self.refusal(503, "the server is restarting"))
            return
        }
        if service.live.count >= maxConnections {
            await refuse(outbound, Self.refusal(503, "the server has its maximum of \(maxConnections) connections"))
            return
        }
        let opened: OpenedSession
        do {
            opened = try await open(handshake)
        } catch {
            logger.error("cannot open a session: \(error)")
            await refuse(outbound, Self.refusal(503, "the server cannot accept connections now"))
            return
        }
        let outbox = opened.outbox
        let connection = outbox.connection
        metrics.connect(result: "accepted")
        metrics.connections.increment()
        defer { metrics.connections.decrement() }
        var connectionLogger = logger
        connectionLogger[metadataKey: "zibri.connection.id"] = "\(connection.id)"
        if let user = connection.userID { connectionLogger[metadataKey: "zibri.user.id"] = "\(user)" }
        let context = WebSocketContext(
            connection: connection, handshake: handshake, websocket: service, logger: connectionLogger)
        let logger = connectionLogger
        var reason = DisconnectReason.clientClosed
        var readError: (any Error)?
        do {
            (reason, readError) = try await exchange(
                inbound: inbound, outbound: outbound, channel: channel, outbox: outbox, context: context)
        } catch {
            logger.debug("connection \(connection.id) ended: \(error)")
            reason = outbox.closeRequest?.why ?? .error
        }
        service.live.remove(outbox)
        metrics.disconnect(reason: reason.code)
        do {
            try await service.store.closeSession(
                connectionID: connection.id, epoch: opened.session.epoch, at: Date(), keep: recovery.enabled)
        } catch {
            logger.error("cannot close the session of connection \(connection.id): \(error)")
        }
        if let onDisconnect {
            do {
                try await onDisconnect(context, reason)
            } catch {
                logger.error("lifecycle.onDisconnect failed for connection \(connection.id): \(error)")
            }
        }
        if let readError { throw readError }
    }

    private func refuse(_ outbound: WebSocketOutboundWriter, _ problem: ProblemDocument) async {
        metrics.connect(result: "refused")
        do {
            try await outbound.write(.text(ServerFrame.refused(problem).jsonText))
            try await outbound.close(.unknown(UInt16(4000 + problem.status)), reason: problem.title)
        } catch {
            logger.debug("refusing a connection failed: \(error)")
        }
    }

    /// A connection's session, its registered outbox (holding the greeting and any replay).
    struct OpenedSession {
        let session: SessionRecord
        let outbox: Outbox
    }

    /// Opens the connection's session: the one the client asks to recover (`session` and
    /// `lastSeq` in the query, or the `Zibri-Session` and `Zibri-Last-Seq` headers) when it
    /// can, else a fresh one. The outbox is registered and holds the greeting, then the replay;
    /// live frames follow them without gap or duplicate.
    private func open(_ handshake: Handshake) async throws -> OpenedSession {
        var reason: String?
        if let token = handshake.query["session"] ?? handshake.headers["zibri-session"] {
            let lastSeq = Int(handshake.query["lastSeq"] ?? handshake.headers["zibri-last-seq"] ?? "") ?? 0
            switch try await recover(token: token, lastSeq: lastSeq, user: handshake.user) {
            case .recovered(let opened):
                metrics.recovery(result: "recovered")
                return opened
            case .failed(let why):
                metrics.recovery(result: why)
                reason = why
            }
        }
        let connection = WebSocketConnection(id: UUID().uuidString.lowercased(), userID: handshake.user?.id)
        let token = Self.newToken()
        let session = SessionRecord(
            token: Self.digest(token), connectionID: connection.id, userID: connection.userID, nodeID: nodeID)
        try await service.store.openSession(session)
        let outbox = Outbox(connection: connection, capacity: outboundQueueSize)
        let lastSeq = service.live.register(outbox, channels: [])
        outbox.send(
            ServerFrame.connected(
                connectionId: connection.id, sessionToken: token, recovered: false, lastSeq: lastSeq,
                reason: reason
            ).jsonText)
        return OpenedSession(session: session, outbox: outbox)
    }

    enum Recovery {
        case recovered(OpenedSession)
        /// `expired`, `unknown`, `gap`, `too_many` or `disabled`.
        case failed(String)
    }

    private func recover(token: String, lastSeq: Int, user: User?) async throws -> Recovery {
        guard recovery.enabled else { return .failed("disabled") }
        let store = service.store
        // The store holds digests: a token is never compared as the client wrote it, and a
        // copy of the database does not hand out sessions.
        let digest = Self.digest(token)
        guard let existing = try await store.session(token: digest), existing.userID == user?.id else {
            return .failed("unknown")
        }
        if let disconnected = existing.disconnectedAt, Date().timeIntervalSince(disconnected) > recovery.window.seconds
        {
            return .failed("expired")
        }
        // A message it was owed may be gone with the trimmed ones: better no replay than one
        // that looks complete and is not.
        if lastSeq < (try await store.trimmedThrough()) { return .failed("gap") }
        guard let session = try await store.resumeSession(token: digest, userID: user?.id, nodeID: nodeID, at: Date())
        else { return .failed("unknown") }
        let connection = WebSocketConnection(id: session.connectionID, userID: session.userID)
        // The session may still have a socket the server has not seen close, here or on another
        // node: this one replaces it.
        let takeover = "the session was resumed by another connection"
        service.live.outbox(connection.id)?.close(.unknown(4409), reason: takeover, why: "server-closed")
        if let shared = service.shared {
            try await shared.announce(
                .close(origin: nodeID, connectionID: connection.id, code: 4409, reason: takeover))
        }
        // Room for the greeting and the whole replay besides the usual queue.
        let outbox = Outbox(connection: connection, capacity: outboundQueueSize + recovery.maxReplay + 1)
        outbox.hold()
        let liveFrom = service.live.register(outbox, channels: try await store.channels(ofConnection: connection.id))
        let owed = try await store.messages(
            owedTo: connection.id, userID: connection.userID, after: lastSeq, limit: recovery.maxReplay + 1)
        guard owed.count <= recovery.maxReplay else {
            service.live.remove(outbox)
            try await store.closeSession(connectionID: connection.id, epoch: session.epoch, at: Date(), keep: false)
            return .failed("too_many")
        }
        let greeting = ServerFrame.connected(
            connectionId: connection.id, sessionToken: token, recovered: true,
            lastSeq: max(liveFrom, owed.last?.seq ?? 0), replayed: owed.count)
        outbox.release(
            after: max(lastSeq, owed.last?.seq ?? lastSeq), first: [greeting.jsonText] + owed.map(Dispatcher.frame))
        return .recovered(OpenedSession(session: session, outbox: outbox))
    }

    /// What the store keeps of a session token: its SHA-256, as hex.
    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// 256 bits from the system's secure generator, as hex: opaque and unguessable.
    static func newToken() -> String {
        (0..<4).map { _ in
            let text = String(UInt64.random(in: .min ... .max), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    /// How a connection that broke a limit ends: the last answer, then the close.
    struct Violation {
        let answer: ProblemDocument?
        let code: WebSocketErrorCode
        let reason: String
        let why: String
    }

    /// The life of an accepted connection: a writer task drains the outbox, a worker runs the
    /// handlers one message at a time (so a client's messages are handled in order), and this
    /// task reads frames, answers `ws:ack`s at once (a handler may be waiting for one) and
    /// enforces the limits. Returns why the connection ended, and the error that stopped the
    /// reading, if one did.
    private func exchange(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel, outbox: Outbox,
        context: WebSocketContext
    ) async throws -> (DisconnectReason, (any Error)?) {
        let connection = context.connection
        let logger = context.logger
        let (work, queue) = AsyncStream.makeStream(
            of: ClientFrame.self, bufferingPolicy: .bufferingOldest(maxPendingMessages))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { outbox.markDrained() }
                @Sendable func write(_ frame: ByteBuffer) async throws {
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
                }
                outbox.attach(write: write, isWritable: { channel.isWritable })
                while let frame = await outbox.next() {
                    try await write(frame)
                }
                if let close = outbox.closeRequest {
                    if close.why.code == "outbound-queue-full" {
                        metrics.outboundOverflows.increment()
                        logger.warning("closing connection \(connection.id): it does not read its frames")
                    }
                    try await outbound.close(close.code, reason: close.reason)
                }
            }
            // A client that does not read cannot be sent a close frame either (its socket is
            // full): once a close is asked for, the writer has `closeTimeout` to get it out, then
            // the socket is dropped.
            group.addTask {
                for await _ in outbox.closeRequested {
                    let deadline = ContinuousClock.now + closeTimeout
                    while !outbox.isDrained, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    if !outbox.isDrained {
                        logger.warning("dropping connection \(connection.id): its close frame could not be written")
                        channel.close(promise: nil)
                    }
                    return
                }
            }
            async let worker: Void = runHandlers(work, outbox: outbox, context: context)
            var violation: Violation?
            var readError: (any Error)?
            do {
                violation = try await read(inbound, outbox: outbox, connection: connection, queue: queue)
            } catch {
                logger.debug("connection \(connection.id) stopped reading: \(error)")
                readError = error
            }
            queue.finish()
            // Nothing more can be read: a handler waiting for this client's answer waits no more.
            service.pending.failAll(connectionID: connection.id)
            if let violation {
                // The messages read before the violation are answered first, then the last answer
                // and the close.
                await worker
                if let problem = violation.answer { answer(outbox, ack: nil, .failure(problem)) }
                outbox.close(violation.code, reason: violation.reason, why: violation.why)
            } else {
                outbox.finish()
                await worker
            }
            try await group.waitForAll()
            if let close = outbox.closeRequest { return (close.why, nil) }
            return (readError == nil ? .clientClosed : .error, readError)
        }
    }

    /// `lifecycle.onConnect`, then each queued message in order: dispatched and answered.
    private func runHandlers(_ work: AsyncStream<ClientFrame>, outbox: Outbox, context: WebSocketContext) async {
        let logger = context.logger
        if let onConnect {
            do {
                try await onConnect(context)
            } catch {
                logger.error("lifecycle.onConnect failed for connection \(context.connection.id): \(error)")
            }
        }
        for await frame in work {
            answer(outbox, ack: frame.ack, await dispatch(frame, context: context))
        }
    }

    /// Reads frames until the client closes (nil) or breaks a limit.
    private func read(
        _ inbound: WebSocketInboundStream, outbox: Outbox, connection: WebSocketConnection,
        queue: AsyncStream<ClientFrame>.Continuation
    ) async throws -> Violation? {
        var bucket = TokenBucket(rate: messagesPerSecond)
        let clock = ContinuousClock()
        let start = clock.now
        // One byte over the limit is still read, so it can be answered with 413.
        for try await message in inbound.messages(maxSize: maxMessageBytes + 1) {
            guard case .text(let text) = message else {
                return Violation(
                    answer: nil, code: .unacceptableData, reason: "frames must be JSON text", why: "binary-frame")
            }
            if text.utf8.count > maxMessageBytes {
                return Violation(
                    answer: Self.problem(413, "the message is larger than \(maxMessageBytes) bytes"),
                    code: .messageTooLarge, reason: "message too large", why: "message-too-large")
            }
            let elapsed = clock.now - start
            switch bucket.take(at: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) {
            case .allow:
                break
            case .refuse:
                answer(outbox, ack: nil, .failure(Self.problem(429, "over \(messagesPerSecond) messages a second")))
                continue
            case .close:
                return Violation(answer: nil, code: .policyViolation, reason: "too many messages", why: "rate-limited")
            }
            let frame: ClientFrame
            do {
                frame = try ClientFrame.parse(Array(text.utf8))
            } catch {
                answer(
                    outbox, ack: error.ack,
                    .failure(
                        ProblemDocument(
                            type: "urn:zibri:problem:invalid-message", title: "Invalid message", status: 400,
                            detail: error.detail)))
                continue
            }
            if frame.event == "ws:ack", let id = frame.requestId {
                if !service.pending.resolve(id, connectionID: connection.id, with: frame.body) {
                    let detail =
                        "no request '\(id.prefix(60))' is waiting for an answer (it timed out or never existed)"
                    answer(outbox, ack: frame.ack, .failure(Self.problem(404, detail)))
                } else if let ack = frame.ack {
                    answer(outbox, ack: ack, .success(.value(.null)))
                }
                continue
            }
            if case .dropped = queue.yield(frame) {
                let detail = "more than \(maxPendingMessages) messages are waiting for their handler"
                answer(outbox, ack: frame.ack, .failure(Self.problem(429, detail)))
            }
        }
        return nil
    }

    private func answer(_ outbox: Outbox, ack: Ack?, _ result: Outcome) {
        switch result {
        case .success(.value(let data)):
            if let ack { outbox.send(ServerFrame.success(ack: ack, data: data).jsonText) }
        case .success(.encoded(let bytes)):
            if let ack { outbox.send(ServerFrame.success(ack: ack, encoded: bytes)) }
        case .failure(let problem):
            outbox.send(ServerFrame.failure(ack: ack, problem: problem).jsonText)
        }
    }

    private func dispatch(_ frame: ClientFrame, context: WebSocketContext) async -> Outcome {
        let connection = context.connection
        let logger = context.logger
        let user = context.handshake.user
        if frame.event == "ws:join" || frame.event == "ws:leave" {
            return await joinOrLeave(frame, connection)
        }
        guard let route = routes[frame.event] else {
            metrics.receivedUnknown()
            return .failure(
                ProblemDocument(
                    type: "about:blank", title: "Not Found", status: 404,
                    detail: "unknown event '\(frame.event.prefix(60))'"))
        }
        route.metrics.received?.increment()
        if user == nil && (route.auth == .required || !route.roles.isEmpty) {
            return .failure(Self.refusal(401, "this event needs an authenticated connection"))
        }
        if !route.roles.isEmpty, let user, Set(user.roles).isDisjoint(with: route.roles) {
            return .failure(
                Self.refusal(403, "this event needs one of the roles \(route.roles.joined(separator: ", "))"))
        }
        var body = frame.body
        if let validator = route.body {
            do {
                body = try validator.validate(body)
            } catch {
                route.metrics.validationFailures.increment()
                return .failure(ProblemDocument.validation(error.prefixed("/body")))
            }
        }
        let started = ContinuousClock.now
        defer { route.metrics.handlerDuration.record(duration: ContinuousClock.now - started) }
        do {
            let output = try await route.handler(body, context) ?? .value(.null)
            if let response = route.response, validateResponses {
                do {
                    _ = try response.validate(try output.json())
                } catch {
                    logger.error(
                        "handler '\(route.handlerName)' answered with data that does not match the route's response: \(error)"
                    )
                    return .failure(
                        ProblemDocument(
                            type: "about:blank", title: "Internal Server Error", status: 500,
                            detail: "the handler's answer is not valid"))
                }
            }
            return .success(output)
        } catch let error as ZibriHTTPError {
            return .failure(
                ProblemDocument(
                    type: error.type, title: error.title, status: error.status, detail: error.detail ?? error.title))
        } catch {
            logger.error("handler '\(route.handlerName)' failed for connection \(connection.id): \(error)")
            return .failure(
                ProblemDocument(
                    type: "about:blank", title: "Internal Server Error", status: 500, detail: "the handler failed"))
        }
    }

    private func joinOrLeave(_ frame: ClientFrame, _ connection: WebSocketConnection) async -> Outcome {
        guard case .string(let channel)? = frame.body["channel"] else {
            return .failure(
                ProblemDocument.validation(
                    ValidationFailure(problems: [
                        ValidationProblem(pointer: "/body/channel", code: "required", message: "is required")
                    ])))
        }
        guard let match = service.patterns.match(channel), clientJoinPatterns.contains(match.pattern) else {
            return .failure(Self.refusal(403, "clients may not join '\(channel.prefix(60))'"))
        }
        do {
            if frame.event == "ws:join", let policy = joinPolicies[match.pattern],
                try await !policy(connection, channel, match.parameters)
            {
                return .failure(Self.refusal(403, "the join policy refused '\(channel.prefix(60))'"))
            }
            if frame.event == "ws:join" {
                try await service.join(connection.id, channel: channel)
            } else {
                try await service.leave(connection.id, channel: channel)
            }
            return .success(.value(.null))
        } catch {
            return .failure(
                ProblemDocument(
                    type: "about:blank", title: "Internal Server Error", status: 500, detail: "the join failed"))
        }
    }
}
