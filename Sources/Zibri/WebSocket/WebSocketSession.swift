import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import ZibriSchema
import ZibriValidation

/// A spec WebSocket route, compiled at start-up.
struct CompiledWebSocketRoute: Sendable {
    let event: String
    let handlerName: String
    let handler: WebSocketHandlers.Erased
    let body: Validator?
    let auth: AuthRequirement
    let roles: [String]
}

/// The result of a client message: the answer's data, or the problem to answer with.
enum Outcome {
    case success(JSONValue)
    case failure(ProblemDocument)
}

/// The result of a handshake: the user (or none), or the problem to refuse it with.
enum Admission {
    case accepted(User?)
    case refused(ProblemDocument)
}

/// What every connection shares: the route table, the service, the limits.
struct WebSocketRuntime: Sendable {
    let path: String
    let routes: [String: CompiledWebSocketRoute]
    let service: WebSocketService
    let connectionAuth: AuthRequirement
    let authenticator: JWTAuthenticator?
    let maxMessageBytes: Int
    let messagesPerSecond: Int
    let maxConnections: Int
    let outboundQueueSize: Int
    /// Channel patterns clients may join with `ws:join`.
    let clientJoinPatterns: Set<String>
    let connectPolicy: Policies.ConnectPolicy?
    /// Join policies by channel pattern.
    let joinPolicies: [String: Policies.JoinPolicy]
    let nodeID: String
    let logger: Logger

    /// The user of the handshake (a bearer header, or `access_token` for browsers), or the
    /// problem to refuse it with.
    func authenticate(headers: HTTPFields, query: [String: String]) async -> Admission {
        var token: String?
        if let header = headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return .refused(Self.refusal(401, "the Authorization header is not 'Bearer TOKEN'"))
            }
            token = String(parts[1])
        } else {
            token = query["access_token"]
        }
        guard let token, let authenticator else {
            return connectionAuth == .required
                ? .refused(Self.refusal(401, "this endpoint needs a bearer token")) : .accepted(nil)
        }
        do {
            return .accepted(try await authenticator.authenticate(token: token))
        } catch {
            return .refused(Self.refusal(401, error.detail))
        }
    }

    /// Authentication, then the connection policy.
    func admit(headers: HTTPFields, query: [String: String]) async -> Admission {
        let admission = await authenticate(headers: headers, query: query)
        guard case .accepted(let user) = admission, let connectPolicy else { return admission }
        var headerValues: [String: String] = [:]
        for field in headers { headerValues[field.name.canonicalName] = field.value }
        do {
            if try await connectPolicy(Handshake(headers: headerValues, query: query, user: user)) {
                return admission
            }
        } catch {
            logger.error("the connection policy failed: \(error)")
        }
        return .refused(Self.refusal(403, "the connection policy refused this connection"))
    }

    static func problem(_ status: Int, _ detail: String) -> ProblemDocument {
        let titles = [413: "Content Too Large", 429: "Too Many Requests"]
        return ProblemDocument(type: "about:blank", title: titles[status] ?? "Error", status: status, detail: detail)
    }

    static func refusal(_ status: Int, _ detail: String) -> ProblemDocument {
        let titles = [401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable"]
        return ProblemDocument(type: "about:blank", title: titles[status] ?? "Refused", status: status, detail: detail)
    }

    /// Serves one upgraded connection until it closes.
    func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, user: User?, refusal: ProblemDocument?
    ) async throws {
        // A frame written in the same instant as the upgrade can reach HummingbirdWSClient in the
        // same read as the 101 response, and that client then never delivers it: in our tests
        // the client waited for ever, for refusals and greetings alike. Until that is understood
        // (see the note on the WebSocket issue), the first frame waits a moment.
        try await Task.sleep(for: .milliseconds(50))
        if let refusal {
            try await outbound.write(.text(ServerFrame.refused(refusal).jsonText))
            try await outbound.close(.unknown(UInt16(4000 + refusal.status)), reason: refusal.title)
            return
        }
        if await service.live.count >= maxConnections {
            let problem = Self.refusal(503, "the server has its maximum of \(maxConnections) connections")
            try await outbound.write(.text(ServerFrame.refused(problem).jsonText))
            try await outbound.close(.unknown(4503), reason: problem.title)
            return
        }
        let connection = WebSocketConnection(id: UUID().uuidString.lowercased(), userID: user?.id)
        let outbox = Outbox(connection: connection, capacity: outboundQueueSize)
        try await service.store.addConnection(ConnectionRecord(id: connection.id, userID: user?.id, nodeID: nodeID))
        await service.live.add(outbox)
        defer {
            let store = service.store
            let live = service.live
            Task { [connection] in
                await live.remove(connection.id)
                try? await store.removeConnection(id: connection.id)
            }
        }
        let token = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        outbox.send(
            ServerFrame.connected(connectionId: connection.id, sessionToken: token, recovered: false, lastSeq: 0)
                .jsonText)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in outbox.frames {
                    try await outbound.write(.text(frame))
                }
                if outbox.overflowed {
                    logger.warning("closing connection \(connection.id): it does not read its frames")
                    try await outbound.close(.policyViolation, reason: "outbound queue full")
                }
            }
            var bucket = TokenBucket(rate: messagesPerSecond)
            let clock = ContinuousClock()
            let start = clock.now
            do {
                // One byte over the limit is still read, so it can be answered with 413.
                for try await message in inbound.messages(maxSize: maxMessageBytes + 1) {
                    switch message {
                    case .text(let text):
                        if text.utf8.count > maxMessageBytes {
                            answer(
                                outbox, ack: nil,
                                .failure(Self.problem(413, "the message is larger than \(maxMessageBytes) bytes")))
                            outbox.finish()
                            try await group.next()
                            try await outbound.close(.messageTooLarge, reason: "message too large")
                            return
                        }
                        let elapsed = clock.now - start
                        switch bucket.take(
                            at: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                        {
                        case .allow:
                            await handle(text, from: connection, user: user, outbox: outbox)
                        case .refuse:
                            answer(
                                outbox, ack: nil,
                                .failure(Self.problem(429, "over \(messagesPerSecond) messages a second")))
                        case .close:
                            outbox.finish()
                            try await group.next()
                            try await outbound.close(.policyViolation, reason: "too many messages")
                            return
                        }
                    case .binary:
                        outbox.finish()
                        try await group.next()
                        try await outbound.close(.unacceptableData, reason: "frames must be JSON text")
                        return
                    }
                }
            } catch {
                logger.debug("connection \(connection.id) ended: \(error)")
            }
            outbox.finish()
            try await group.waitForAll()
        }
    }

    /// One client message: read it, route it, validate it, call the handler, answer it.
    func handle(_ text: String, from connection: WebSocketConnection, user: User?, outbox: Outbox) async {
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
            return
        }
        let result = await dispatch(frame, from: connection, user: user)
        answer(outbox, ack: frame.ack, result)
    }

    private func answer(_ outbox: Outbox, ack: Ack?, _ result: Outcome) {
        switch result {
        case .success(let data):
            if let ack { outbox.send(ServerFrame.success(ack: ack, data: data).jsonText) }
        case .failure(let problem):
            outbox.send(ServerFrame.failure(ack: ack, problem: problem).jsonText)
        }
    }

    private func dispatch(_ frame: ClientFrame, from connection: WebSocketConnection, user: User?) async -> Outcome {
        if frame.event == "ws:join" || frame.event == "ws:leave" {
            return await joinOrLeave(frame, connection)
        }
        guard let route = routes[frame.event] else {
            return .failure(
                ProblemDocument(
                    type: "about:blank", title: "Not Found", status: 404,
                    detail: "unknown event '\(frame.event.prefix(60))'"))
        }
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
                return .failure(ProblemDocument.validation(error.prefixed("/body")))
            }
        }
        do {
            let output = try await route.handler(body, WebSocketContext(connection: connection, websocket: service))
            return .success(output ?? JSONValue.null)
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
            return .success(JSONValue.null)
        } catch {
            return .failure(
                ProblemDocument(
                    type: "about:blank", title: "Internal Server Error", status: 500, detail: "the join failed"))
        }
    }
}
