import NIOCore
import NIOPosix
import Synchronization

/// A TCP connection that sends what a test says, byte by byte if need be, and records what it
/// gets back and when the server closes it: for clients that misbehave on purpose (a head that
/// never ends, a body at a byte a second).
struct RawHTTPConnection: Sendable {
    let channel: any Channel
    /// Everything the server sent, once it has closed the connection.
    let closed: EventLoopFuture<String>

    static func open(port: Int) async throws -> RawHTTPConnection {
        let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: String.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Recorder(closed: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTPConnection(channel: channel, closed: promise.futureResult)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Whether the server closed the connection within `limit`. (Not a task group racing a
    /// sleep: a future's `get()` does not end when its task is cancelled.)
    func isClosed(within limit: Duration) async -> Bool {
        let loop = closed.eventLoop
        let answer = loop.makePromise(of: Bool.self)
        let decided = Decided()
        @Sendable func decide(_ value: Bool) {
            if decided.first() { answer.succeed(value) }
        }
        let timer = loop.scheduleTask(in: .nanoseconds(Int64(limit / .nanoseconds(1)))) { decide(false) }
        closed.whenComplete { _ in
            timer.cancel()
            decide(true)
        }
        return (try? await answer.futureResult.get()) ?? false
    }

    func close() {
        channel.close(promise: nil)
    }

    private final class Decided: Sendable {
        private let done = Mutex(false)
        /// True the first time only.
        func first() -> Bool {
            done.withLock { done in
                defer { done = true }; return !done
            }
        }
    }

    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private var received = ""
        private let closed: EventLoopPromise<String>

        init(closed: EventLoopPromise<String>) {
            self.closed = closed
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.succeed(received)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)  // a reset is a close too
        }
    }
}
