import Testing
import ZibriStorage

@testable import ZibriRuntime

/// The store's health, step by step and without a store.
@Suite struct StoreHealthTests {
    let start = ContinuousClock.now

    @Test func aProbeThatWaitsLongerThanThePatienceMakesTheStoreUnavailable() {
        var health = StoreHealth(patience: .milliseconds(750))
        #expect(health.status(at: start) == .available)
        health.probeStarted(at: start)
        #expect(health.status(at: start + .milliseconds(700)) == .available)
        #expect(health.status(at: start + .milliseconds(1500)) == .unavailable("the store has not answered for 1.5 s"))
        health.probeSucceeded()
        #expect(health.status(at: start + .seconds(2)) == .available)
    }

    /// A busy store makes the probe wait too, but answers the others: it is not down.
    @Test func aSlowProbeWhileOperationsGetAnswersIsNotAnOutage() {
        var health = StoreHealth(patience: .seconds(1))
        health.probeStarted(at: start)
        health.answered(at: start + .milliseconds(900))
        #expect(health.status(at: start + .milliseconds(1500)) == .available)
        #expect(health.status(at: start + .milliseconds(2000)) == .unavailable("the store has not answered for 1.1 s"))
    }

    @Test func aFailedProbeOrATimeoutLastsUntilTheNextGoodProbe() {
        var health = StoreHealth(patience: .seconds(1))
        health.probeStarted(at: start)
        health.probeFailed("connection refused")
        #expect(health.status(at: start) == .unavailable("connection refused"))
        health.probeStarted(at: start)
        health.probeSucceeded()
        #expect(health.status(at: start) == .available)
        health.operationTimedOut("append took 5 s")
        #expect(health.status(at: start) == .unavailable("append took 5 s"))
        health.probeSucceeded()
        #expect(health.status(at: start) == .available)
    }

    @Test func aDamagedStoreStaysUnavailable() {
        var health = StoreHealth(patience: .seconds(1))
        health.foundCorrupt("page 7 is damaged")
        health.foundCorrupt("page 9 is damaged")
        health.probeSucceeded()
        #expect(health.status(at: start) == .unavailable("page 7 is damaged"))
    }

    /// What an operation's error says about the store: a timeout or a damaged file is about
    /// all of it; anything else (a full disk, an unknown connection) only about that operation.
    @Test func onlyTimeoutsAndDamageOfOperationsChangeTheHealth() {
        let monitor = StoreHealthMonitor()
        monitor.failed(StoreError(code: "sqlite-error", message: "disk full"), probe: false)
        #expect(monitor.status == .available)
        monitor.failed(StoreError(code: "sqlite-error", message: "disk full"), probe: true)
        #expect(monitor.status == .unavailable("disk full [sqlite-error]"))
        monitor.probeSucceeded()
        monitor.failed(StoreError(code: StoreError.timeoutCode, message: "slow"), probe: false)
        #expect(monitor.status == .unavailable("slow [storage-timeout]"))
        monitor.probeSucceeded()
        monitor.failed(StoreError(code: StoreError.corruptCode, message: "damaged"), probe: false)
        monitor.probeSucceeded()
        #expect(monitor.status == .unavailable("damaged [storage-corrupt]"))
    }
}
