import NIOCore
import NIOWebSocket

/// Between NIO's frame decoder and its protocol error handler, for what the runtime's reader
/// never sees:
/// - a frame over the frame limit fails in the decoder, from its header alone, and NIO closes
///   with 1009: the guard first sends the same 413 answer a message one byte over the limit
///   gets, so the client learns why;
/// - RFC 6455 §5.1: a server must close on a client frame that is not masked (1002); NIO's
///   decoder accepts it.
final class FrameGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The text of the 413 answer.
    private let tooLarge: ByteBuffer
    private var closing = false

    init(tooLarge: ByteBuffer) {
        self.tooLarge = tooLarge
    }

    /// Puts a guard on an upgraded connection's pipeline. Frames the decoder passed on before
    /// (in the moment between the upgrade and the connection's task) are not checked.
    static func install(on channel: any Channel, tooLarge: ByteBuffer) async throws {
        try await channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            let errorHandler = try pipeline.handler(type: WebSocketProtocolErrorHandler.self)
            try pipeline.addHandler(FrameGuard(tooLarge: tooLarge), position: .before(errorHandler))
        }.get()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        guard frame.maskKey != nil else {
            closing = true
            var payload = context.channel.allocator.buffer(capacity: 32)
            payload.write(webSocketErrorCode: .protocolError)
            payload.writeString("frames must be masked")
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
                .whenComplete { _ in channel.close(promise: nil) }
            return
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case NIOWebSocketError.invalidFrameLength = error, !closing {
            closing = true
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: tooLarge)), promise: nil)
        }
        context.fireErrorCaught(error)
    }
}
