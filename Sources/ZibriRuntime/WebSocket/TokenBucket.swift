/// A per-connection rate limit: `rate` messages a second on average, bursts up to `capacity`.
/// A pure state machine (time is passed in), so it is tested without clocks or sockets.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private var tokens: Double
    private var last: Double?
    /// Messages refused since the bucket was last full. Counting them in a row instead would
    /// never close a client that sends steadily at twice the rate (every other message gets
    /// a token); a client that pauses long enough to fill the bucket starts afresh.
    private(set) var refusedSinceFull = 0

    init(rate: Int, capacity: Int? = nil) {
        self.rate = Double(rate)
        self.capacity = Double(capacity ?? rate)
        self.tokens = self.capacity
    }

    enum Decision: Equatable {
        case allow
        /// Over the limit: answer 429.
        case refuse
        /// More refusals than a second's worth of messages since the bucket was last full:
        /// close 1008.
        case close
    }

    /// Takes a token for a message arriving at `now` (seconds, any monotonic origin).
    mutating func take(at now: Double) -> Decision {
        if let last { tokens = min(capacity, tokens + (now - last) * rate) }
        last = now
        if tokens >= capacity { refusedSinceFull = 0 }
        if tokens >= 1 {
            tokens -= 1
            return .allow
        }
        refusedSinceFull += 1
        return refusedSinceFull > Int(rate) ? .close : .refuse
    }
}
