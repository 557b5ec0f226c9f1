import Foundation
import Testing
import ZibriSchema
import ZibriTesting

@testable import Zibri

/// PostgreSQL restarts while two nodes carry traffic: the nodes reconnect on their own,
/// deliveries resume, and every message that was acknowledged as stored reaches the member on
/// the other node, once, in order (skipped, saying so, without PostgreSQL).
@Suite(.timeLimit(.minutes(2))) struct PostgresRestartTests {
    /// Where the restart is: 0 before, 1 while PostgreSQL is down or starting, 2 after.
    actor Phase {
        var value = 0
        func set(_ new: Int) { value = new }
    }

    actor Heard {
        var numbers: [Int] = []
        func add(_ number: Int) { numbers.append(number) }
    }

    @Test func aRestartOfPostgreSQLUnderLoadLosesNothingAcknowledged() async throws {
        // A cluster of its own: the shared one serves other tests meanwhile.
        guard let cluster = try await TemporaryPostgres.start() else {
            print(TemporaryPostgres.skipped)
            return
        }
        defer { cluster.stop() }
        let url = try await cluster.makeDatabase()
        try await ClusterTests.serve(count: 2, url: url, started: []) { nodes in
            let heard = Heard()
            let ready = ClusterTests.Countdown()
            let listening = Task {
                try await RawWebSocket.connect(port: nodes[0].port) { socket in
                    _ = try await socket.receive { $0["event"] == "ws:connected" }
                    try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
                    _ = try await socket.receive { $0["ack"] == 1 }
                    await ready.arrive()
                    while true {
                        let said = try await socket.receive { $0["event"] == "said" }
                        await heard.add(said["data"]?.int ?? -1)
                        if said["data"] == -1 { return }
                    }
                }
            }
            try await ready.wait(for: 1)

            // One sender on the other node, one message at a time, each with an ack; the
            // restart comes after the 30th acknowledged message.
            // restart comes after the 30th acknowledged message, and sending goes on until 30
            // more are acknowledged after PostgreSQL is back.
            let phase = Phase()
            var acknowledged: [Int] = []
            var (sentWhileDown, ackedAfter) = (0, 0)
            try await RawWebSocket.connect(port: nodes[1].port) { socket in
                _ = try await socket.receive { $0["event"] == "ws:connected" }
                var restart: Task<Void, any Error>?
                var number = 0
                while ackedAfter < 30 && number < 5000 {
                    number += 1
                    let sentIn = await phase.value
                    if sentIn == 1 { sentWhileDown += 1 }
                    try await socket.send(text: #"{"event": "say", "body": \#(number), "ack": \#(number)}"#)
                    let answer = try await socket.receive { $0["ack"] == .integer(number) }
                    if answer["ok"] == true {
                        acknowledged.append(number)
                        if sentIn == 2 { ackedAfter += 1 }
                    } else {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    if acknowledged.count == 30 && restart == nil {
                        await phase.set(1)
                        restart = Task {
                            try await cluster.restart(downFor: .seconds(1))
                            await phase.set(2)
                        }
                    }
                }
                try await restart?.value
                try await socket.send(text: #"{"event": "say", "body": -1, "ack": 0}"#)
                _ = try await socket.receive { $0["ack"] == 0 }
            }
            try await listening.value

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
}
