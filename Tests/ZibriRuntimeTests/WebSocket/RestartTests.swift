import Foundation
import Testing
import ZibriSchema
import ZibriTesting

/// The real thing: a server process on a SQLite file, killed with SIGKILL in the middle of a
/// stream of broadcasts and started again; the client that was in the room recovers, and gets
/// every message it was owed exactly once, in order.
@Suite(.timeLimit(.minutes(2))) struct RestartTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The RecoveryServer fixture on `storage` (`ZIBRI_STORAGE_URL`), with more of its
    /// environment in `environment`; it prints "listening PORT" once it serves.
    static func server(storage: String, environment: [String: String] = [:]) throws -> ServerProcess {
        try ServerProcess(
            ChildProcess.builtProduct("RecoveryServer", packageRoot: root),
            environment: ["ZIBRI_STORAGE_URL": storage, "ZIBRI_PORT": "0", "RECOVERY_JWT_SECRET": HTTPFixture.secret]
                .merging(environment) { _, new in new },
            port: { line in line.hasPrefix("listening ") ? Int(line.dropFirst("listening ".count)) : nil })
    }

    /// What the listener saw: the numbers and seqs of `said` frames.
    actor Seen {
        var numbers: [Int] = []
        var seqs: [Int] = []
        func add(_ frame: JSONValue) {
            numbers.append(frame["data"]?.int ?? -1)
            seqs.append(frame["seq"]?.int ?? -1)
        }
    }

    /// SIGTERM with a client that reads the 1012 close and never answers it (nor closes its
    /// socket): the process still exits within its close timeout (1 s), not when the client
    /// lets go. The client is a blocking socket that only ever reads.
    @Test func aClientThatNeverAnswersTheCloseDoesNotHoldUpTheStop() async throws {
        let server = try await offThePool { try Self.server(storage: "memory") }
        let client = try SilentWebSocket(port: server.port)
        defer { client.close() }
        #expect(client.read(until: Array("ws:connected".utf8), seconds: 5))
        let start = ContinuousClock.now
        let stopped = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await offThePool { server.stop() }
                return true
            }
            group.addTask {
                // The close frame (0x88) with 1012 (0x03F4); then nothing is sent back.
                #expect(try await offThePool { client.read(until: [0x88, 0x11, 0x03, 0xF4], seconds: 5) })
                try await Task.sleep(for: .seconds(10))
                return false
            }
            let first = try await group.next()!
            if !first { server.kill() }  // a hung server fails the test instead of hanging it
            group.cancelAll()
            return first
        }
        let elapsed = ContinuousClock.now - start
        #expect(stopped, "the server did not stop within 10 s")
        #expect(elapsed < .seconds(5), "the server took \(elapsed) to stop")
    }

    @Test func aDurableMembershipOutlivesAKill() async throws {
        let database = TestProcessFolder.url.appendingPathComponent("durable-\(UUID().uuidString).sqlite").path
        let path = "/ws?access_token=\(try await HTTPFixture.token(user: "u1"))"
        let first = try await offThePool { try Self.server(storage: "sqlite:\(database)") }
        try await RawWebSocket.connect(port: first.port, path: path) { socket in
            _ = try await socket.receive { $0["event"] == "ws:connected" }
            try await DurableMembershipTests.ask(&socket, "ws:join", "team:1", ack: 1)
            first.kill()
        }
        let second = try await offThePool { try Self.server(storage: "sqlite:\(database)") }
        defer { second.kill() }
        // A fresh connection (no session token) of the user, to the process started again.
        try await RawWebSocket.connect(port: second.port, path: path) { socket in
            let greeting = try await socket.receive { $0["event"] == "ws:connected" }
            #expect(greeting["data"]?["channels"] == ["team:1"])
            try await socket.send(text: #"{"event": "tell", "body": 5, "ack": 1}"#)
            #expect(try await socket.receive { $0["event"] == "told" }["data"] == 5)
        }
    }

    @Test func aClientRecoversEverythingItWasOwedAcrossAKill() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zibri-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("zibri.sqlite").path
        let seen = Seen()

        // 1. A listener in room:1 that goes away after 20 messages, and a sender saying 1, 2, 3 …
        //    each acknowledged (so logged).
        let first = try await offThePool { try Self.server(storage: "sqlite:\(database)") }
        let joined = WebSocketPolicyTests.Flag()
        let listener = Task {
            try await RawWebSocket.connect(port: first.port) { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
                _ = try await socket.receive { $0["ack"] == 1 }
                await joined.set()
                for _ in 1...20 { await seen.add(try await socket.receive { $0["event"] == "said" }) }
                try await socket.close()
                return greeting["data"]?["sessionToken"]?.string ?? ""
            }
        }
        try await joined.wait()
        let acknowledged = try await RawWebSocket.connect(port: first.port) { socket in
            var acknowledged = 0
            for number in 1...40 {
                try await socket.send(text: #"{"event": "say", "body": \#(number), "ack": \#(number)}"#)
                _ = try await socket.receive { $0["ack"] == .integer(number) }
                acknowledged = number
            }
            // 2. More in flight, unacknowledged, when the server is killed.
            for number in 41...60 { try await socket.send(text: #"{"event": "say", "body": \#(number)}"#) }
            first.kill()
            return acknowledged
        }
        let token = try await listener.value
        let beforeKill = await seen.numbers.count
        #expect(beforeKill == 20)
        let lastSeq = await seen.seqs.last ?? 0

        // 3. Started again on the same file: the listener recovers and gets what it missed, then
        //    the messages a new sender says.
        let second = try await offThePool { try Self.server(storage: "sqlite:\(database)") }
        defer { second.kill() }
        let replayed = try await RawWebSocket.connect(
            port: second.port, path: "/ws?session=\(token)&lastSeq=\(lastSeq)"
        ) { socket in
            let greeting = try await socket.receive()
            #expect(greeting["data"]?["recovered"] == true)
            let replayed = greeting["data"]?["replayed"]?.int ?? 0
            for _ in 0..<replayed { await seen.add(try await socket.receive()) }
            try await RawWebSocket.connect(port: second.port) { sender in
                for number in 101...110 {
                    try await sender.send(text: #"{"event": "say", "body": \#(number), "ack": \#(number)}"#)
                    _ = try await sender.receive { $0["ack"] == .integer(number) }
                }
            }
            for _ in 101...110 { await seen.add(try await socket.receive { $0["event"] == "said" }) }
            return replayed
        }

        #expect(replayed >= 20)  // 21 … 40 at least, from the file the killed process left
        let numbers = await seen.numbers
        let seqs = await seen.seqs
        // Every acknowledged message arrived (live or replayed), and the new ones after them.
        #expect(acknowledged == 40)
        #expect(Array(numbers.prefix(40)) == Array(1...40))
        #expect(Array(numbers.suffix(10)) == Array(101...110))
        // Exactly once and in order: seqs strictly increase across the kill.
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        // The unacknowledged ones that made it into the log came once each, in order.
        let middle = numbers.dropFirst(40).dropLast(10)
        #expect(Array(middle) == Array(41..<(41 + middle.count)))
        #expect(beforeKill + replayed + 10 == numbers.count)
    }
}
