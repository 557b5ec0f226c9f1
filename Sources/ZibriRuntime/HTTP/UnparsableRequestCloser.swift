import NIOCore
import NIOHTTP1

/// Closes a connection whose request head NIO cannot parse (a header over
/// `server.maxHeaderBytes`, more than `server.maxHeaders` fields, a malformed line).
/// HummingbirdWebSocket turns NIO's own handling of these off and does not handle them before
/// a connection's first request is routed: the connection stayed open, unanswered, for ever.
final class UnparsableRequestCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { context.close(promise: nil) }
        context.fireErrorCaught(error)
    }
}
