/// When an HTTP connection must have sent its next request head, or the body of the request it
/// is sending: a pure state machine whose transitions say what the connection's handler does.
///
/// A connection waits for a head from its opening and again from the end of each response, so
/// a client that sends one byte and stops (or sends a header a minute) is closed after
/// `server.requestHeadTimeout`, and a keep-alive connection that stays idle that long too. A
/// body must be complete `server.requestBodyTimeout` after its head. While the handler works
/// (the request read, the response not yet sent) no clock runs: the handler's own time is not
/// the client's fault.
struct RequestDeadlines: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// Between requests: the next head is due.
        case awaitingHead
        /// The head is in; the body is due. `responded`: the response has already been sent
        /// (a request refused before its body was read), so the next head is due once it ends.
        case receivingBody(responded: Bool)
        /// The request is in and the response is not yet out.
        case handling
        /// Upgraded to WebSocket, or closed: nothing more to time.
        case finished
    }

    enum Clock: Sendable, Equatable {
        case head
        case body
    }

    enum Action: Sendable, Equatable {
        /// Start this clock; it replaces any other.
        case start(Clock)
        /// Stop the running clock.
        case stop
        /// Close the connection.
        case close
        /// Take the handler out of the pipeline: the connection is a WebSocket now.
        case stepOut
        case none
    }

    private(set) var phase = Phase.awaitingHead

    /// The connection is open.
    mutating func opened() -> Action {
        phase = .awaitingHead
        return .start(.head)
    }

    /// A request head arrived.
    mutating func receivedHead() -> Action {
        guard phase == .awaitingHead else { return .none }
        phase = .receivingBody(responded: false)
        return .start(.body)
    }

    /// A request's body ended.
    mutating func receivedEnd() -> Action {
        switch phase {
        case .receivingBody(responded: false):
            phase = .handling
            return .stop
        case .receivingBody(responded: true):
            phase = .awaitingHead
            return .start(.head)
        case .awaitingHead, .handling, .finished:
            return .none
        }
    }

    /// A response's head went out; `upgraded` when it was a 101 to WebSocket.
    mutating func sentHead(upgraded: Bool) -> Action {
        guard upgraded, phase != .finished else { return .none }
        phase = .finished
        return .stepOut
    }

    /// A response ended.
    mutating func sentEnd() -> Action {
        switch phase {
        case .handling:
            phase = .awaitingHead
            return .start(.head)
        case .receivingBody(responded: false):
            phase = .receivingBody(responded: true)
            return .none
        case .awaitingHead, .receivingBody(responded: true), .finished:
            return .none
        }
    }

    /// The running clock ran out.
    mutating func deadlinePassed() -> Action {
        switch phase {
        case .awaitingHead, .receivingBody:
            phase = .finished
            return .close
        case .handling, .finished:
            return .none
        }
    }

    /// The server is stopping. A connection between requests (idle, or with half a head) is
    /// closed now; one in a request finishes it (Hummingbird closes it after its response),
    /// bounded by the body clock and the server's `shutdownTimeout`.
    mutating func serverStopping() -> Action {
        guard phase == .awaitingHead else { return .none }
        phase = .finished
        return .close
    }
}
