import Testing
import Zibri

@testable import ZibriRuntime

@Suite struct TokenBucketTests {
    @Test func allowsTheRateWithBurstsUpToCapacity() {
        var bucket = TokenBucket(rate: 5)
        let decisions = (0..<7).map { _ in bucket.take(at: 0) }
        #expect(decisions == [.allow, .allow, .allow, .allow, .allow, .refuse, .refuse])
        // A fifth of a second later one token has come back.
        #expect(bucket.take(at: 0.2) == .allow)
        #expect(bucket.take(at: 0.2) == .refuse)
        // A full second refills the bucket, no more.
        let refilled = (0..<6).map { _ in bucket.take(at: 2) }
        #expect(refilled == [.allow, .allow, .allow, .allow, .allow, .refuse])
    }

    @Test func goingOnAfterRefusalsCloses() {
        var bucket = TokenBucket(rate: 2)
        #expect(bucket.take(at: 0) == .allow)
        #expect(bucket.take(at: 0) == .allow)
        #expect(bucket.take(at: 0) == .refuse)
        #expect(bucket.take(at: 0) == .refuse)
        #expect(bucket.take(at: 0) == .close)
    }

    @Test func aBucketThatRefillsResetsTheRefusals() {
        var bucket = TokenBucket(rate: 1)
        #expect(bucket.take(at: 0) == .allow)
        #expect(bucket.take(at: 0) == .refuse)
        #expect(bucket.take(at: 1) == .allow)
        #expect(bucket.refusedSinceFull == 0)
    }

    /// Messages every `interval` seconds until the bucket closes, for at most `seconds`: when.
    static func closesAt(rate: Int, interval: Double, seconds: Double) -> Double? {
        var bucket = TokenBucket(rate: rate)
        var now = 0.0
        while now < seconds {
            if bucket.take(at: now) == .close { return now }
            now += interval
        }
        return nil
    }

    /// A client that keeps sending over the rate is closed even though some of its messages
    /// get a token; one under the rate never is.
    @Test func aSteadyFloodOverTheRateClosesAndASteadyPaceUnderItDoesNot() throws {
        // Twice the rate: half the messages are refused, so a second's worth of refusals
        // comes after about two seconds of it (the first second spends the full bucket).
        let twice = try #require(Self.closesAt(rate: 10, interval: 0.05, seconds: 60))
        #expect(twice > 1 && twice < 3)
        // Half again the rate: later, but it comes.
        #expect(Self.closesAt(rate: 10, interval: 1 / 15.0, seconds: 60) != nil)
        // Under the rate, for a minute: never.
        #expect(Self.closesAt(rate: 10, interval: 0.11, seconds: 60) == nil)
    }
}
