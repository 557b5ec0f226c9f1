import NIOCore
import NIOHTTP1

/// Runs the clocks `RequestDeadlines` asks for on one HTTP connection. It sits right after
/// NIO's request decoder, where it sees each request's head and end come in and each
/// response's head and end go out; it steps out when the connection upgrades to WebSocket,
/// giving back the connection's place in `server.maxHTTPConnections`.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let headTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let place: HTTPConnectionLimit.Place
    private var deadlines = RequestDeadlines()
    private var clock: Scheduled<Void>?
    private var upgraded = false

    init(headTimeout: TimeAmount, bodyTimeout: TimeAmount, place: HTTPConnectionLimit.Place) {
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
        self.place = place
    }

    func handlerAdded(context: ChannelHandlerContext) {
        apply(deadlines.opened(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: apply(deadlines.receivedHead(), context: context)
        case .body: break
        case .end: apply(deadlines.receivedEnd(), context: context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let action: RequestDeadlines.Action
        switch unwrapOutboundIn(data) {
        case .head(let head): action = deadlines.sentHead(upgraded: head.status == .switchingProtocols)
        case .body: action = .none
        case .end: action = deadlines.sentEnd()
        }
        context.write(data, promise: promise)
        // Stepping out inside `write` would leave the flush that follows it (the 101 goes out
        // with writeAndFlush) nowhere to go: the client would never see the 101.
        if action == .stepOut {
            upgraded = true
        } else {
            apply(action, context: context)
        }
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        if upgraded { apply(.stepOut, context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { apply(deadlines.serverStopping(), context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        if deadlines.phase == .awaitingHead { Self.endInput(context) }
        context.fireChannelInactive()
    }

    /// Tells the handlers after this one that no request is coming. Before a connection's first
    /// request NIO's upgrade handler takes a close without it for a broken pipeline, and
    /// HummingbirdWebSocket logs an error for each such connection (browsers' spare ones, an
    /// attacker's thousands); with it, the connection simply ends.
    private static func endInput(_ context: ChannelHandlerContext) {
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopClock()
    }

    private func apply(_ action: RequestDeadlines.Action, context: ChannelHandlerContext) {
        switch action {
        case .start(let which):
            stopClock()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            clock = context.eventLoop.scheduleTask(in: which == .head ? headTimeout : bodyTimeout) {
                let (handler, context) = loopBound.value
                handler.clock = nil
                handler.apply(handler.deadlines.deadlinePassed(), context: context)
            }
        case .stop:
            stopClock()
        case .close:
            stopClock()
            Self.endInput(context)
            context.close(promise: nil)
        case .stepOut:
            stopClock()
            upgraded = false
            place.giveBack()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .none:
            break
        }
    }

    private func stopClock() {
        clock?.cancel()
        clock = nil
    }
}
