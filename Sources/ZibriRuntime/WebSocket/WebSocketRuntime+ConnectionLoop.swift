import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ZibriValidation

/// The life of an accepted connection: its three tasks, the limits, the answers.
extension WebSocketRuntime {
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
    func exchange(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel,
        turn: SessionTurns.Turn, context: WebSocketContext
    ) async throws -> (DisconnectReason, (any Error)?) {
        let outbox = turn.outbox
        let connection = context.connection
        let logger = context.logger
        let (work, queue) = AsyncStream.makeStream(
            of: ClientFrame.self, bufferingPolicy: .bufferingOldest(limits.maxPendingMessages))
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
            // Once a close is asked for, the connection has `closeTimeout` to end: for the
            // writer to get the close frame out (a client that does not read has a full socket)
            // and for the client to answer it (one that never does would otherwise hold the
            // connection, and a stopping server, for ever). Then the socket is dropped. The
            // timer is cancelled once the writer has drained (`closeRequested` ends) and the
            // reader has ended.
            let (readerEnded, endReader) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                await withTaskGroup(of: Void.self) { timer in
                    var started = false
                    for await _ in outbox.closeRequested where !started {
                        started = true
                        timer.addTask {
                            guard (try? await Task.sleep(for: limits.closeTimeout)) != nil else { return }
                            let why =
                                outbox.isDrained
                                ? "it did not answer the close" : "its close frame could not be written"
                            logger.warning("dropping connection \(connection.id): \(why)")
                            channel.close(promise: nil)
                        }
                    }
                    for await _ in readerEnded {}
                    timer.cancelAll()
                }
            }
            async let worker: Void = runHandlers(work, turn: turn, context: context)
            var violation: Violation?
            var readError: (any Error)?
            do {
                violation = try await read(inbound, outbox: outbox, connection: connection, queue: queue)
            } catch {
                logger.debug("connection \(connection.id) stopped reading: \(error)")
                readError = error
            }
            endReader.finish()
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

    /// Once the session's older sockets are done (`SessionTurns`): `lifecycle.onConnect`, then
    /// each queued message in order, dispatched and answered on the session's newest socket.
    private func runHandlers(
        _ work: AsyncStream<ClientFrame>, turn: SessionTurns.Turn, context: WebSocketContext
    ) async {
        defer { turns.end(turn) }
        await turns.waitForTurn(turn, patience: Self.releasePatience)
        let logger = context.logger
        if let onConnect {
            do {
                try await onConnect(context)
            } catch {
                logger.error("lifecycle.onConnect failed for connection \(context.connection.id): \(error)")
            }
        }
        for await frame in work {
            // Resumed on another node: what is still queued is not handled, so that the resumed
            // socket's messages do not wait long there nor run beside these; each is answered
            // 409 (safe to send again) on the resumed socket, through the release below.
            if turns.resumedElsewhere(turn) {
                let refusal = ProblemDocument.notHandled("the session was resumed on another connection first")
                if let answer = Self.answerFrame(ack: frame.ack, .failure(refusal)) { turns.answer(answer, in: turn) }
                continue
            }
            let outcome = await dispatch(frame, context: context)
            if let answer = Self.answerFrame(ack: frame.ack, outcome) { turns.answer(answer, in: turn) }
        }
        if turns.resumedElsewhere(turn) { await service.release(turn.connectionID) }
    }

    /// How long a session resumed from another node waits for that node to release the older
    /// socket (its handler in progress to end) before its own messages run.
    static let releasePatience: Duration = .seconds(5)

    /// Reads frames until the client closes (nil) or breaks a limit.
    private func read(
        _ inbound: WebSocketInboundStream, outbox: Outbox, connection: WebSocketConnection,
        queue: AsyncStream<ClientFrame>.Continuation
    ) async throws -> Violation? {
        var bucket = TokenBucket(rate: limits.messagesPerSecond)
        let clock = ContinuousClock()
        let start = clock.now
        var assembler = MessageAssembler(maxBytes: limits.maxMessageBytes)
        for try await dataFrame in inbound {
            let text: String
            switch assembler.add(dataFrame.opcode, fin: dataFrame.fin, data: dataFrame.data) {
            case .text(let message):
                text = message
            case .partial:
                continue
            case .binary:
                return Violation(
                    answer: nil, code: .unacceptableData, reason: "frames must be JSON text", why: "binary-frame")
            case .tooLarge:
                return Violation(
                    answer: Self.tooLarge(limits),
                    code: .messageTooLarge, reason: "message too large", why: "message-too-large")
            case .invalidUTF8:
                return Violation(
                    answer: nil, code: .dataInconsistentWithMessage, reason: "invalid UTF-8", why: "invalid-utf8")
            case .outOfOrder:
                return Violation(
                    answer: nil, code: .protocolError, reason: "a fragment out of order", why: "protocol-error")
            }
            let elapsed = clock.now - start
            switch bucket.take(at: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) {
            case .allow:
                break
            case .refuse:
                answer(
                    outbox, ack: nil, .failure(.tooManyRequests("over \(limits.messagesPerSecond) messages a second")))
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
                    .failure(.invalidMessage(error.detail)))
                continue
            }
            if frame.event == "ws:ack", let id = frame.requestId {
                if !service.pending.resolve(id, connectionID: connection.id, with: frame.body) {
                    let detail =
                        "no request '\(id.prefix(60))' is waiting for an answer (it timed out or never existed)"
                    answer(outbox, ack: frame.ack, .failure(.notFound(detail)))
                } else if let ack = frame.ack {
                    answer(outbox, ack: ack, .success(.value(.null)))
                }
                continue
            }
            if case .dropped = queue.yield(frame) {
                let detail = "more than \(limits.maxPendingMessages) messages are waiting for their handler"
                answer(outbox, ack: frame.ack, .failure(.tooManyRequests(detail)))
            }
        }
        return nil
    }

    private func answer(_ outbox: Outbox, ack: Ack?, _ result: Outcome) {
        if let frame = Self.answerFrame(ack: ack, result) { outbox.send(frame) }
    }

    /// The `ws:response` for an outcome: none for a success the client asked no `ack` for.
    static func answerFrame(ack: Ack?, _ result: Outcome) -> ByteBuffer? {
        switch result {
        case .success(.value(let data)):
            ack.map { ByteBuffer(string: ServerFrame.success(ack: $0, data: data).jsonText) }
        case .success(.encoded(let bytes)):
            ack.map { ByteBuffer(string: ServerFrame.success(ack: $0, encoded: bytes)) }
        case .failure(let problem):
            ByteBuffer(string: ServerFrame.failure(ack: ack, problem: problem).jsonText)
        }
    }
}
