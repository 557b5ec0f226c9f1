import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ZibriSchema
import ZibriStorage
import ZibriValidation

/// What every connection shares: the route table, the service, the limits.
struct WebSocketRuntime: Sendable {
    let path: String
    let routes: [String: CompiledWebSocketRoute]
    let service: WebSocketService
    let connectionAuth: AuthRequirement
    let authorizer: Authorizer
    /// Browser origins allowed besides the request's own (`websocket.connection.allowedOrigins`).
    let allowedOrigins: [String]
    let limits: WebSocketLimits
    /// Channel patterns clients may join with `ws:join`.
    let clientJoinPatterns: Set<String>
    /// Durable channel patterns whose join policy is asked again on each connect.
    let rejoinCheckPatterns: Set<String>
    let connectPolicy: Policies.ConnectPolicy?
    /// Join policies by channel pattern.
    let joinPolicies: [String: Policies.JoinPolicy]
    let onConnect: WebSocketHandlers.ConnectHandler?
    let onDisconnect: WebSocketHandlers.DisconnectHandler?
    let nodeID: String
    let recovery: RecoverySettings
    let validateResponses: Bool
    let metrics: ZibriMetrics
    let logger: Logger

    var turns: SessionTurns { service.turns }

    /// Serves one upgraded connection until it closes. Rethrows what stopped the reading (such
    /// as invalid UTF-8) so that HummingbirdWebSocket closes with the code it calls for (1007).
    func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel, admission: Admission
    ) async throws {
        do {
            let answer = ServerFrame.failure(ack: nil, problem: Self.tooLarge(limits)).jsonText
            try await FrameGuard.install(on: channel, tooLarge: ByteBuffer(string: answer))
        } catch {
            logger.debug("no frame guard on this connection: \(error)")
        }
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
            await refuse(outbound, .serviceUnavailable("the server is restarting"))
            return
        }
        if service.live.count >= limits.maxConnections {
            await refuse(
                outbound, .serviceUnavailable("the server has its maximum of \(limits.maxConnections) connections"))
            return
        }
        let opened: OpenedSession
        do {
            opened = try await open(handshake)
        } catch {
            logger.warning("cannot open a session: \(error)")
            await refuse(
                outbound,
                ProblemDocument.storeFailure(error) ?? .serviceUnavailable("the server cannot accept connections now"))
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
                inbound: inbound, outbound: outbound, channel: channel, turn: opened.turn, context: context)
        } catch {
            logger.debug("connection \(connection.id) ended: \(error)")
            reason = outbox.closeRequest?.why ?? .error
        }
        service.live.remove(outbox)
        if reason.code == DisconnectReason.resumedCode, service.live.outbox(connection.id) == nil {
            // Resumed on another node after this socket's handlers had ended: the release (and
            // the answers kept) was not sent by them.
            await service.release(connection.id)
        }
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

    /// The answer to a message over `maxMessageBytes`, whichever part of the runtime sees it.
    static func tooLarge(_ limits: WebSocketLimits) -> ProblemDocument {
        .tooLarge("the message is larger than \(limits.maxMessageBytes) bytes")
    }

    func refuse(_ outbound: WebSocketOutboundWriter, _ problem: ProblemDocument) async {
        metrics.connect(result: "refused")
        do {
            try await outbound.write(.text(ServerFrame.refused(problem).jsonText))
            try await outbound.close(.unknown(UInt16(4000 + problem.status)), reason: problem.title)
        } catch {
            logger.debug("refusing a connection failed: \(error)")
        }
    }
}
