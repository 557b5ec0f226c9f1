import NIOCore
import Testing

@testable import Zibri

/// The recovery seam inside one outbox, without sockets.
@Suite struct OutboxTests {
    @Test func aMessageReplayedBeforeItWasDeliveredLiveGoesOutOnce() async throws {
        let outbox = Outbox(connection: WebSocketConnection(id: "c1", userID: nil), capacity: 16)
        outbox.hold()
        #expect(outbox.send("held 4", seq: 4))
        #expect(outbox.send("held 6", seq: 6))
        // The replay read messages up to 5 from the log (5 was logged, not yet delivered).
        outbox.release(after: 5, first: ["greeting", "replay 5"])
        // Now 5 is delivered live: already sent with the replay, so dropped; 7 goes out.
        #expect(outbox.send("live 5", seq: 5))
        #expect(outbox.send("live 7", seq: 7))
        #expect(outbox.send("volatile"))
        outbox.finish()
        var frames: [String] = []
        for await frame in outbox.frames { frames.append(String(buffer: frame)) }
        #expect(frames == ["greeting", "replay 5", "held 6", "live 7", "volatile"])
    }
}
