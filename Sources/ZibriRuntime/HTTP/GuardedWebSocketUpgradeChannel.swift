import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// HummingbirdWebSocket's HTTP/1 channel with a guard in front of its first request.
///
/// That channel installs its idle timeout and its reaction to a stopping server only once a
/// connection's first request has decided whether it upgrades. A connection that never sends a
/// byte therefore lived for ever, and held up a graceful shutdown until the client closed it
/// (browsers keep such spare connections open for minutes). The guard closes a connection
/// that has sent nothing when the server stops, or after `timeout`.
struct GuardedWebSocketUpgradeChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let base: HTTP1WebSocketUpgradeChannel
    let timeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(FirstRequestGuard(timeout: timeout), position: .first)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(UnparsableRequestCloser())
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
        // When the request head cannot be parsed (a header over `server.maxHeaderBytes`, say),
        // NIO answers 400 and HummingbirdWebSocket returns without closing the connection: the
        // client would wait on it. Whatever ended the connection's life, it is over.
        if value.channel.isActive { try? await value.channel.close() }
    }
}
