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

    @Test func anAllowedMessageResetsTheRefusals() {
        var bucket = TokenBucket(rate: 1)
        #expect(bucket.take(at: 0) == .allow)
        #expect(bucket.take(at: 0) == .refuse)
        #expect(bucket.take(at: 1) == .allow)
        #expect(bucket.refusedInARow == 0)
    }
}
