/// A per-connection rate limit: `rate` messages a second on average, bursts up to `capacity`.
/// A pure state machine (time is passed in), so it is tested without clocks or sockets.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private var tokens: Double
    private var last: Double?
    /// Messages refused in a row; the connection is closed when it goes on.
    private(set) var refusedInARow = 0

    init(rate: Int, capacity: Int? = nil) {
        self.rate = Double(rate)
        self.capacity = Double(capacity ?? rate)
        self.tokens = self.capacity
    }

    enum Decision: Equatable {
        case allow
        /// Over the limit: answer 429.
        case refuse
        /// Still over the limit after as many refusals as a second's worth of messages: close 1008.
        case close
    }

    /// Takes a token for a message arriving at `now` (seconds, any monotonic origin).
    mutating func take(at now: Double) -> Decision {
        if let last { tokens = min(capacity, tokens + (now - last) * rate) }
        last = now
        if tokens >= 1 {
            tokens -= 1
            refusedInARow = 0
            return .allow
        }
        refusedInARow += 1
        return refusedInARow > Int(rate) ? .close : .refuse
    }
}
