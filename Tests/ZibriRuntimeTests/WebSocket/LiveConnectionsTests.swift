import NIOCore
import Testing
import ZibriStorage

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

    /// A user's connections join and leave a channel together, at one place in the sequence,
    /// and a second join reports only the connections that were not in it.
    @Test func aUsersConnectionsJoinAndLeaveTogether() async throws {
        let live = LiveConnections()
        live.start(at: 7)
        let outboxes = ["a", "b", "c"].map { id in
            Outbox(connection: WebSocketConnection(id: id, userID: id == "c" ? "u2" : "u1"), capacity: 8)
        }
        for outbox in outboxes.prefix(2) { _ = live.register(outbox, channels: []) }
        #expect(live.join(user: "u1", channel: "room:1") == (7, ["a", "b"]))
        _ = live.register(outboxes[2], channels: [])
        let late = Outbox(connection: WebSocketConnection(id: "d", userID: "u1"), capacity: 8)
        _ = live.register(late, channels: [])
        #expect(live.join(user: "u1", channel: "room:1") == (7, ["d"]))
        let message = StoredMessage(seq: 8, entry: LogEntry(recipient: .channel("room:1"), event: "e", data: 1))
        await live.deliver([message], frames: ["8"])
        #expect(live.leave(user: "u1", channel: "room:1") == 8)
        await live.deliver(
            [StoredMessage(seq: 9, entry: LogEntry(recipient: .channel("room:1"), event: "e", data: 2))], frames: ["9"])
        for outbox in outboxes + [late] { outbox.finish() }
        var received: [String: [String]] = [:]
        for outbox in outboxes + [late] {
            while let frame = await outbox.next() {
                received[outbox.connection.id, default: []].append(String(buffer: frame))
            }
        }
        #expect(received == ["a": ["8"], "b": ["8"], "d": ["8"]])
    }
}
