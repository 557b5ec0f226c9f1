import NIOCore
import NIOWebSocket
import Testing

@testable import ZibriRuntime

/// The outbox's rules as transitions, without sockets, tasks or locks: a writer is a name, and
/// each outcome is written as text ("queued, writer gets 1") to compare.
@Suite struct OutboxStateTests {
    typealias State = OutboxState<String>

    static func frame(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func describe(_ wake: State.Wake?) -> String {
        guard let wake else { return "" }
        return ", \(wake.writer) gets \(wake.frame.map { String(buffer: $0) } ?? "the end")"
    }

    static func describe(_ accepted: State.Accepted) -> String {
        switch accepted {
        case .queued(let wake): "queued" + describe(wake)
        case .claimed: "claimed"
        case .refused: "refused"
        case .overflowed(let wake): "overflowed" + describe(wake)
        }
    }

    /// Sends a frame; `claim` lets an idle outbox be claimed, `writable` is the socket's answer.
    static func send(
        _ state: inout State, _ text: String, seq: Int? = nil, claim: Bool = false, writable: Bool = true
    ) -> String {
        describe(state.send(frame(text), seq: seq, mayClaim: claim, isWritable: { writable }))
    }

    /// What the writer gets, frame by frame, until it parks or ends.
    static func drain(_ state: inout State) -> [String] {
        var frames: [String] = []
        while true {
            switch state.next("writer") {
            case .frame(let frame): frames.append(String(buffer: frame))
            case .end: return frames + ["end"]
            case .park: return frames
            }
        }
    }

    @Test func aParkedWriterIsWokenWithTheNextFrameAndLaterOnesQueue() {
        var state = State(capacity: 4)
        #expect(Self.drain(&state) == [])
        #expect(state.writerIsParked)
        #expect(Self.send(&state, "1") == "queued, writer gets 1")
        #expect(Self.send(&state, "2") == "queued")  // the writer is busy with 1
        #expect(Self.drain(&state) == ["2"])
        #expect(Self.describe(state.finish()) == ", writer gets the end")
    }

    @Test func aFullQueueFinishesTheOutboxWithA1008AndRefusesWhatFollows() {
        var state = State(capacity: 2)
        #expect(Self.send(&state, "1") == "queued")
        #expect(Self.send(&state, "2") == "queued")
        #expect(Self.send(&state, "3") == "overflowed")
        #expect(state.closeRequest?.code == .policyViolation)
        #expect(state.closeRequest?.why.code == "outbound-queue-full")
        #expect(Self.send(&state, "4") == "refused")
        // What was queued before the overflow still goes out, then the close.
        #expect(Self.drain(&state) == ["1", "2", "end"])
    }

    @Test func onlyAnIdleOpenWritableOutboxIsClaimed() {
        var state = State(capacity: 4)
        var asked = false
        // The writer is not parked: queued, and the socket is not even asked.
        let busy = state.send(Self.frame("busy"), seq: nil, mayClaim: true) {
            asked = true
            return true
        }
        #expect(Self.describe(busy) == "queued")
        #expect(!asked)
        #expect(Self.drain(&state) == ["busy"])
        #expect(Self.send(&state, "unwritable", claim: true, writable: false) == "queued, writer gets unwritable")
        #expect(Self.drain(&state) == [])
        state.hold()
        #expect(Self.send(&state, "held", seq: 1, claim: true) == "queued")
        _ = state.finish()
        #expect(Self.send(&state, "late", claim: true) == "refused")
    }

    @Test func framesAfterAClaimWaitForItAndTheWriterWaitsBehindIt() {
        var state = State(capacity: 4)
        #expect(Self.drain(&state) == [])
        #expect(Self.send(&state, "1", seq: 1, claim: true) == "claimed")
        #expect(Self.send(&state, "2", seq: 2, claim: true) == "queued")  // nobody woken
        #expect(Self.describe(state.claimedWriteEnded(Self.frame("1"), written: true)) == ", writer gets 2")
    }

    @Test func aClaimedFrameThatWasNotWrittenGoesOutFirst() {
        var state = State(capacity: 4)
        #expect(Self.drain(&state) == [])
        #expect(Self.send(&state, "1", claim: true) == "claimed")
        #expect(Self.send(&state, "2") == "queued")
        #expect(Self.describe(state.claimedWriteEnded(Self.frame("1"), written: false)) == ", writer gets 1")
        #expect(Self.drain(&state) == ["2"])
    }

    @Test func aWriterCancelledBehindAClaimGetsTheEndAndTheClaimWakesNobody() {
        var state = State(capacity: 4)
        #expect(Self.drain(&state) == [])
        #expect(Self.send(&state, "1", claim: true) == "claimed")
        #expect(state.cancelWriter() == "writer")
        #expect(state.cancelWriter() == nil)
        #expect(state.claimedWriteEnded(Self.frame("1"), written: false) == nil)
        #expect(Self.drain(&state) == ["1"])
    }

    @Test func aWriterThatAsksDuringAClaimParksBehindIt() {
        var state = State(capacity: 4)
        _ = state.next("first")
        #expect(Self.send(&state, "1", claim: true) == "claimed")
        #expect(state.cancelWriter() == "first")
        // A writer asking while the claimed write is in flight waits for it.
        #expect(Self.drain(&state) == [])
        #expect(Self.send(&state, "2") == "queued")
        #expect(Self.describe(state.claimedWriteEnded(Self.frame("1"), written: true)) == ", writer gets 2")
    }

    @Test func theRecoverySeamHasNoGapAndNoDuplicate() {
        var state = State(capacity: 8)
        state.hold()
        #expect(Self.send(&state, "held 4", seq: 4) == "queued")
        #expect(Self.send(&state, "held 6", seq: 6) == "queued")
        #expect(Self.send(&state, "volatile") == "queued")
        #expect(Self.drain(&state) == [])  // held: nothing for the writer yet
        // The replay read up to 5 from the log.
        let released = state.release(after: 5, first: [Self.frame("greeting"), Self.frame("replay 5")])
        #expect(Self.describe(released) == "queued, writer gets greeting")
        #expect(Self.send(&state, "live 5", seq: 5) == "queued")  // went out with the replay: dropped
        #expect(Self.send(&state, "live 7", seq: 7) == "queued")
        _ = state.finish()
        #expect(Self.drain(&state) == ["replay 5", "held 6", "volatile", "live 7", "end"])
    }

    @Test func heldFramesBeyondTheCapacityCloseTheConnectionAndWakeItsWriter() {
        var state = State(capacity: 1)
        #expect(Self.drain(&state) == [])
        state.hold()
        #expect(Self.send(&state, "held", seq: 1) == "queued")
        #expect(Self.send(&state, "more", seq: 2) == "overflowed, writer gets the end")
        #expect(Self.describe(state.release(after: 0, first: [Self.frame("greeting")])) == "refused")
    }

    @Test func aReleaseThatDoesNotFitQueuesWhatFitsAndCloses() {
        var state = State(capacity: 2)
        state.hold()
        _ = Self.send(&state, "held", seq: 9)
        let released = state.release(after: 5, first: [Self.frame("greeting"), Self.frame("replay 5")])
        #expect(Self.describe(released) == "overflowed")
        #expect(state.closeRequest?.code == .policyViolation)
        #expect(Self.drain(&state) == ["greeting", "replay 5", "end"])
    }

    @Test func theFirstCloseWinsAndAServerCloseAfterTheClientsIsStillSent() {
        var state = State(capacity: 4)
        _ = state.finish()
        #expect(state.closeRequest == nil)
        let reason = DisconnectReason(code: "server-closed", closeCode: 1001)
        _ = state.close(.init(code: .goingAway, reason: "bye", why: reason))
        _ = state.close(.init(code: .policyViolation, reason: "late", why: reason))
        _ = state.finish()
        #expect(state.closeRequest?.code == .goingAway)
        #expect(state.closeRequest?.reason == "bye")
        #expect(Self.send(&state, "after") == "refused")
    }
}
