import Testing

@testable import ZibriRuntime

/// The clocks of one HTTP connection, step by step and without sockets.
@Suite struct RequestDeadlinesTests {
    @Test func aRequestRunsTheHeadClockThenTheBodyClockThenNoneUntilItsResponseEnds() {
        var deadlines = RequestDeadlines()
        #expect(deadlines.opened() == .start(.head))
        #expect(deadlines.receivedHead() == .start(.body))
        #expect(deadlines.receivedEnd() == .stop)
        #expect(deadlines.deadlinePassed() == .none, "no clock runs while the handler works")
        #expect(deadlines.sentHead(upgraded: false) == .none)
        #expect(deadlines.sentEnd() == .start(.head), "the next head is due")
        #expect(deadlines.deadlinePassed() == .close)
        #expect(deadlines.phase == .finished)
    }

    @Test func aHeadOrABodyThatIsLateClosesTheConnection() {
        var waiting = RequestDeadlines()
        _ = waiting.opened()
        #expect(waiting.deadlinePassed() == .close)

        var uploading = RequestDeadlines()
        _ = uploading.opened()
        _ = uploading.receivedHead()
        #expect(uploading.deadlinePassed() == .close)
    }

    /// A request refused before its body was read (a 413, say): the body clock keeps running
    /// until the body has ended, then the next head is due.
    @Test func aResponseBeforeTheBodyEndedKeepsTheBodyClock() {
        var deadlines = RequestDeadlines()
        _ = deadlines.opened()
        _ = deadlines.receivedHead()
        #expect(deadlines.sentEnd() == .none)
        #expect(deadlines.phase == .receivingBody(responded: true))
        #expect(deadlines.receivedEnd() == .start(.head))
    }

    @Test func anUpgradeStepsOutAndNothingIsTimedAfterIt() {
        var deadlines = RequestDeadlines()
        _ = deadlines.opened()
        _ = deadlines.receivedHead()
        _ = deadlines.receivedEnd()
        #expect(deadlines.sentHead(upgraded: true) == .stepOut)
        #expect(deadlines.sentEnd() == .none)
        #expect(deadlines.deadlinePassed() == .none)
        #expect(deadlines.serverStopping() == .none)
    }

    /// A stopping server closes a connection between requests (idle, or with half a head) at
    /// once, and lets one in a request finish it.
    @Test func aStoppingServerClosesOnlyConnectionsBetweenRequests() {
        var idle = RequestDeadlines()
        _ = idle.opened()
        #expect(idle.serverStopping() == .close)

        var busy = RequestDeadlines()
        _ = busy.opened()
        _ = busy.receivedHead()
        #expect(busy.serverStopping() == .none)
        _ = busy.receivedEnd()
        #expect(busy.serverStopping() == .none)
    }

    @Test func aSecondHeadWhileOneIsInProgressChangesNothing() {
        var deadlines = RequestDeadlines()
        _ = deadlines.opened()
        _ = deadlines.receivedHead()
        #expect(deadlines.receivedHead() == .none)
        #expect(deadlines.phase == .receivingBody(responded: false))
    }
}
