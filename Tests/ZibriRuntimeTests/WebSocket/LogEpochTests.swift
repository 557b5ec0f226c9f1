import Foundation
import Testing
import ZibriSchema
import ZibriTesting

/// A store that goes backwards, with real processes on a real SQLite file: restored from a
/// backup taken before the messages a client saw, or emptied. The client's seq is no place in
/// such a log: it gets a fresh session with `reason: "epoch"`, told the log's present, and sees
/// what is said next, instead of `recovered: true` with the new messages taken for old ones.
@Suite(.timeLimit(.minutes(2))) struct LogEpochTests {
    /// A listener in room:1 as the tests know it: its session, and the last seq it saw.
    struct Listener {
        var token: String
        var epoch: String
        var lastSeq: Int
    }

    /// Joins room:1, has a second client say `numbers` and reads them; returns the session.
    static func listen(port: Int, query: String = "", numbers: ClosedRange<Int>) async throws -> Listener {
        try await RawWebSocket.connect(port: port, path: "/ws\(query)") { socket in
            let greeting = try await socket.receive { $0["event"] == "ws:connected" }
            try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
            _ = try await socket.receive { $0["ack"] == 1 }
            try await say(numbers, port: port)
            var lastSeq = 0
            for _ in numbers { lastSeq = try await socket.receive { $0["event"] == "said" }["seq"]?.int ?? -1 }
            try await socket.close()
            return Listener(
                token: greeting["data"]?["sessionToken"]?.string ?? "", epoch: greeting["data"]?["epoch"]?.string ?? "",
                lastSeq: lastSeq)
        }
    }

    static func say(_ numbers: ClosedRange<Int>, port: Int) async throws {
        try await RawWebSocket.connect(port: port) { sender in
            for number in numbers {
                try await sender.send(text: #"{"event": "say", "body": \#(number), "ack": \#(number)}"#)
                _ = try await sender.receive { $0["ack"] == .integer(number) }
            }
        }
    }

    /// Comes back with its session and seq: the greeting, then (on a fresh session, after
    /// joining again) the next message said, which must arrive.
    static func comeBack(_ listener: Listener, port: Int) async throws -> (greeting: JSONValue, next: JSONValue) {
        let query = "?session=\(listener.token)&lastSeq=\(listener.lastSeq)&epoch=\(listener.epoch)"
        return try await RawWebSocket.connect(port: port, path: "/ws\(query)") { socket in
            let greeting = try await socket.receive()
            try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
            _ = try await socket.receive { $0["ack"] == 1 }
            try await say(100...100, port: port)
            let next = try await socket.receive { $0["event"] == "said" }
            return (greeting, next)
        }
    }

    /// A fresh folder of this test process's.
    static func folder(_ name: String) throws -> URL {
        let url = TestProcessFolder.url.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func files(of database: String) -> [String] { [database, database + "-wal", database + "-shm"] }

    @Test func aStoreRestoredFromABackupIsAnotherPlaceInTheLog() async throws {
        let directory = try Self.folder("epoch-backup")
        let database = directory.appendingPathComponent("zibri.sqlite").path
        let backup = directory.appendingPathComponent("backup")
        try FileManager.default.createDirectory(at: backup, withIntermediateDirectories: true)

        let first = try await offThePool { try RestartTests.server(storage: "sqlite:\(database)") }
        let early = try await Self.listen(port: first.port, numbers: 1...3)
        first.kill()
        // The backup: the files as the killed process left them, seq 3 at the head.
        for file in Self.files(of: database) where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.copyItem(
                atPath: file, toPath: backup.appendingPathComponent((file as NSString).lastPathComponent).path)
        }
        let second = try await offThePool { try RestartTests.server(storage: "sqlite:\(database)") }
        let later = try await Self.listen(
            port: second.port, query: "?session=\(early.token)&lastSeq=\(early.lastSeq)", numbers: 4...10)
        second.kill()
        #expect(later.epoch == early.epoch && later.lastSeq > early.lastSeq)

        // Restored: the log is back at seq 3, while the listener saw 10.
        for file in Self.files(of: database) {
            try? FileManager.default.removeItem(atPath: file)
            let saved = backup.appendingPathComponent((file as NSString).lastPathComponent).path
            if FileManager.default.fileExists(atPath: saved) {
                try FileManager.default.copyItem(atPath: saved, toPath: file)
            }
        }
        let third = try await offThePool { try RestartTests.server(storage: "sqlite:\(database)") }
        defer { third.kill() }
        let (greeting, next) = try await Self.comeBack(later, port: third.port)
        #expect(greeting["data"]?["recovered"] == false)
        #expect(greeting["data"]?["reason"] == "epoch")
        let present = try #require(greeting["data"]?["lastSeq"]?.int)
        #expect(present < later.lastSeq)
        #expect(next["data"] == 100)
        #expect((next["seq"]?.int ?? 0) > present)
    }

    @Test func anEmptiedDatabaseIsANewEpoch() async throws {
        let directory = try Self.folder("epoch-emptied")
        let database = directory.appendingPathComponent("zibri.sqlite").path
        let first = try await offThePool { try RestartTests.server(storage: "sqlite:\(database)") }
        let listener = try await Self.listen(port: first.port, numbers: 1...3)
        first.kill()
        FileManager.default.createFile(atPath: database, contents: Data())
        for file in Self.files(of: database).dropFirst() { try? FileManager.default.removeItem(atPath: file) }

        let second = try await offThePool { try RestartTests.server(storage: "sqlite:\(database)") }
        defer { second.kill() }
        let (greeting, next) = try await Self.comeBack(listener, port: second.port)
        #expect(greeting["data"]?["recovered"] == false)
        #expect(greeting["data"]?["reason"] == "epoch")
        #expect(greeting["data"]?["epoch"] != .string(listener.epoch))
        #expect(next["data"] == 100)
    }
}
