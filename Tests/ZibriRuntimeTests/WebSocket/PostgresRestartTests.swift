import Foundation
import Testing
import Zibri
import ZibriSchema
import ZibriTesting

@testable import ZibriRuntime

/// PostgreSQL restarts while two nodes carry traffic: the nodes reconnect on their own,
/// deliveries resume, and every message that was acknowledged as stored reaches the member on
/// the other node, once, in order (skipped, saying so, without PostgreSQL).
@Suite(.timeLimit(.minutes(2))) struct PostgresRestartTests {
    actor Heard {
        var numbers: [Int] = []
        func add(_ number: Int) { numbers.append(number) }
    }

    @Test func aRestartOfPostgreSQLUnderLoadLosesNothingAcknowledged() async throws {
        // Once in a while, in a full run on a loaded machine, this test has outlived its time
        // limit before the watchdog below was running: the steps are logged to find where.
        let begun = ContinuousClock.now
        @Sendable func step(_ what: String) { print("PostgresRestartTests: \(what) at \(ContinuousClock.now - begun)") }
        // A cluster of its own: the shared one serves other tests meanwhile.
        step("starting PostgreSQL")
        guard let cluster = try await TemporaryPostgres.start() else {
            print(TemporaryPostgres.skipped)
            return
        }
        defer {
            step("stopping PostgreSQL")
            cluster.stop()
            step("stopped PostgreSQL")
        }
        step("creating the database")
        let url = try await cluster.makeDatabase()
        step("starting two nodes")
        defer { step("nodes stopped") }
        try await ClusterTests.serve(count: 2, url: url, started: []) { nodes in
            step("nodes serving")
            let heard = Heard()
            let ready = ClusterTests.Countdown()
            let progress = Progress()
            // The listener and the sender run side by side; a watchdog ends the test with what
            // each was waiting for, instead of the whole run hanging on a frame that never comes.
            let sent = try await withThrowingTaskGroup(of: Sent?.self) { group in
                group.addTask {
                    try await RawWebSocket.connect(port: nodes[0].port) { socket in
                        _ = try await socket.receive { $0["event"] == "ws:connected" }
                        try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
                        _ = try await socket.receive { $0["ack"] == 1 }
                        await ready.arrive()
                        while true {
                            let said = try await socket.receive { $0["event"] == "said" }
                            await heard.add(said["data"]?.int ?? -1)
                            if said["data"] == -1 { return nil }
                        }
                    }
                }
                group.addTask {
                    try await ready.wait(for: 1)
                    return try await Self.send(port: nodes[1].port, cluster: cluster, progress: progress)
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(90))
                    // Said at once: the group ends only once the others have, and a read that
                    // waits on a socket may not end when cancelled.
                    let stuck = Stuck(description: await progress.describe(heard: heard.numbers))
                    step("\(stuck)")
                    throw stuck
                }
                var sent: Sent?
                for _ in 0..<2 {
                    if let result = try await group.next(), let result { sent = result }
                }
                group.cancelAll()
                return try #require(sent)
            }
            step("messages sent and heard")
            let (acknowledged, sentWhileDown, ackedAfter) = (sent.acknowledged, sent.whileDown, sent.ackedAfter)

            let numbers = await heard.numbers.filter { $0 != -1 }
            print(
                "PostgreSQL restart: \(sentWhileDown) messages sent while it was down, \(acknowledged.count) of \(numbers.count) heard were acknowledged"
            )
            #expect(ackedAfter == 30)
            #expect(sentWhileDown > 0, "nothing was sent during the restart: the test proves nothing")
            // Every acknowledged message arrived; nothing twice; in the order sent.
            #expect(
                Set(acknowledged).isSubset(of: Set(numbers)),
                "missing: \(Set(acknowledged).subtracting(numbers).sorted())")
            #expect(Set(numbers).count == numbers.count)
            #expect(numbers == numbers.sorted())
            // The member's node measured how long the other node's messages took to reach it.
            let exposition = String(decoding: nodes[0].service.metrics.exposition(), as: UTF8.self)
            let lags = exposition.split(separator: "\n").first {
                $0.hasPrefix("zibri_cluster_delivery_lag_seconds_count ")
            }
            #expect(lags.flatMap { Int($0.split(separator: " ").last!) } ?? 0 >= acknowledged.count, "\(lags ?? "")")
        }
    }

    struct Sent: Sendable {
        var acknowledged: [Int] = []
        var whileDown = 0
        var ackedAfter = 0
    }

    /// What the sender and the listener were doing, for a test that gets stuck.
    actor Progress {
        var phase = 0
        var waitingForAck: Int?
        var acknowledged = 0
        func set(phase: Int) { self.phase = phase }
        func waiting(for number: Int?) { waitingForAck = number }
        func acked() { acknowledged += 1 }
        func describe(heard: [Int]) -> String {
            "stuck in phase \(phase) (0 before the restart, 1 during, 2 after): the sender "
                + (waitingForAck.map { "waits for the ack of message \($0)" } ?? "is not waiting for an ack")
                + ", \(acknowledged) acknowledged; the listener heard \(heard.count), the last \(heard.last ?? 0)"
        }
    }

    struct Stuck: Error, CustomStringConvertible {
        let description: String
    }

    /// One sender on node `port`, one message at a time, each with an ack; PostgreSQL restarts
    /// after the 30th acknowledged message, and sending goes on until 30 more are acknowledged
    /// after it is back; then the closing message -1.
    static func send(port: Int, cluster: TemporaryPostgres, progress: Progress) async throws -> Sent {
        var sent = Sent()
        try await RawWebSocket.connect(port: port) { socket in
            _ = try await socket.receive { $0["event"] == "ws:connected" }
            var restart: Task<Void, any Error>?
            var number = 0
            while sent.ackedAfter < 30 && number < 5000 {
                number += 1
                let sentIn = await progress.phase
                if sentIn == 1 { sent.whileDown += 1 }
                await progress.waiting(for: number)
                try await socket.send(text: #"{"event": "say", "body": \#(number), "ack": \#(number)}"#)
                let answer = try await socket.receive { $0["ack"] == .integer(number) }
                await progress.waiting(for: nil)
                if answer["ok"] == true {
                    sent.acknowledged.append(number)
                    await progress.acked()
                    if sentIn == 2 { sent.ackedAfter += 1 }
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
                if sent.acknowledged.count == 30 && restart == nil {
                    await progress.set(phase: 1)
                    restart = Task {
                        try await cluster.restart(downFor: .seconds(1))
                        await progress.set(phase: 2)
                    }
                }
            }
            try await restart?.value
            await progress.waiting(for: 0)
            try await socket.send(text: #"{"event": "say", "body": -1, "ack": 0}"#)
            _ = try await socket.receive { $0["ack"] == 0 }
            await progress.waiting(for: nil)
        }
        return sent
    }
}
