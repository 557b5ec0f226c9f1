import Crypto
import Foundation
import NIOCore
import NIOPosix

/// A server that answers every upgrade with the 101, a `ws:refused` frame and the close frame
/// in one write, and then half-closes: what a Zibri server's refusal looks like on the wire when
/// all of it reaches the client in one read. HummingbirdWSClient (through SwiftNIO's HTTP/1
/// client upgrade) then loses the frames and the end of input; see docs/protocol.md.
final class AbruptRefusalServer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var request = ""

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        request += String(buffer: unwrapInboundIn(data))
        guard request.contains("\r\n\r\n") else { return }
        let key =
            request.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
            .map { $0.dropFirst("sec-websocket-key:".count).trimmingCharacters(in: .whitespaces) } ?? ""
        let accept = Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)))
            .base64EncodedString()
        var out = context.channel.allocator.buffer(capacity: 512)
        out.writeString(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: \(accept)\r\n\r\n")
        let refusal = Array(
            #"{"event":"ws:refused","ok":false,"status":401,"error":{"status":401,"title":"Unauthorized"}}"#.utf8)
        out.writeBytes([0x81, UInt8(refusal.count)] + refusal)
        let reason = Array("Unauthorized".utf8)
        out.writeBytes([0x88, UInt8(2 + reason.count), 0x11, 0x31] + reason)  // 4401
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
        request = ""
    }

    /// Serves on a free port of 127.0.0.1 until `body` returns.
    static func serve(_ body: (Int) async throws -> Void) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AbruptRefusalServer())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            try await body(channel.localAddress?.port ?? 0)
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
    }
}
