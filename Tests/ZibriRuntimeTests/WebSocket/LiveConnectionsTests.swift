import NIOCore
import Testing

@testable import ZibriRuntime

/// Deliveries through the connections of a process, without sockets.
@Suite(.timeLimit(.minutes(1))) struct LiveConnectionsTests {
    /// The socket was writable when the outbox was claimed, then filled before the write got
    /// there (the client stopped reading): the delivery goes on after `claimPatience` instead of
    /// waiting for the client, and the frame, not written, is the writer task's to write.
    @Test func aDeliveryDoesNotWaitForAClientWhoseSocketFilled() async throws {
        let socket = OutboxTests.Socket()
        let (outbox, writer) = try await OutboxTests.live(socket)
        let live = LiveConnections()
        _ = live.register(outbox, channels: [])
        socket.stallNextWrite()
        let started = ContinuousClock.now
        await live.deliverVolatile("1", to: .connection("c1"), excluding: nil)
        #expect(ContinuousClock.now - started < .seconds(20))
        outbox.finish()
        try await writer.value
        #expect(socket.frames == ["1 by writer"])
    }
}
