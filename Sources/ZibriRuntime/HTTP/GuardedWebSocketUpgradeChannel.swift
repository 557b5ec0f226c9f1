import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// HummingbirdWebSocket's HTTP/1 channel with a place in `server.maxHTTPConnections` taken
/// first and deadlines on every request head and body.
///
/// That channel installs its idle timeout and its reaction to a stopping server only once a
/// connection's first request has decided whether it upgrades. A connection that never sent a
/// byte, or sent one and stopped, therefore lived for ever and held up a graceful shutdown
/// until the client let go; enough of them took every descriptor the process had.
struct GuardedWebSocketUpgradeChannel: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case accepted(HTTP1WebSocketUpgradeChannel.Value)
        /// Over the limit: answered 503 and closed in `setup`.
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .accepted(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let base: HTTP1WebSocketUpgradeChannel
    let limit: HTTPConnectionLimit
    let headTimeout: TimeAmount
    let bodyTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard let place = limit.take() else {
            logger.debug("Connection refused: \(limit.maximum) HTTP connections are open (server.maxHTTPConnections)")
            // Failing the set-up would reach the listening socket's pipeline as an error and
            // end the accept loop; the connection is answered and closed once it is active
            // (it is not during set-up) and handed on as refused.
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(RefusingHandler())
                return .refused(channel)
            }
        }
        channel.closeFuture.whenComplete { _ in place.giveBack() }
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(
                type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(
                RequestDeadlineHandler(headTimeout: headTimeout, bodyTimeout: bodyTimeout, place: place),
                position: .after(decoder))
            try channel.pipeline.syncOperations.addHandler(UnparsableRequestCloser())
            return .accepted(value)
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard case .accepted(let value) = value else { return }
        await base.handle(value: value, logger: logger)
        // When the request head cannot be parsed (a header over `server.maxHeaderBytes`, say),
        // NIO answers 400 and HummingbirdWebSocket returns without closing the connection: the
        // client would wait on it. Whatever ended the connection's life, it is over.
        if value.channel.isActive { try? await value.channel.close() }
    }
}
