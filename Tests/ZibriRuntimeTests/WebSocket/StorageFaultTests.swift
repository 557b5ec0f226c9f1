import Foundation
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema
import ZibriTesting

/// The disk under the SQLite store fills up: sends fail with a clear error to the handler, the
/// server stays up, and once there is room again messages are logged and delivered. A real
/// full disk: a small tmpfs (which needs root; skipped otherwise).
@Suite(.timeLimit(.minutes(1))) struct StorageFaultTests {
    /// A mounted tmpfs of `kilobytes`, unmounted by `unmount()`.
    struct SmallDisk {
        let url: URL

        init?(kilobytes: Int) {
            url = TestProcessFolder.url.appendingPathComponent("disk-\(UUID().uuidString)")
            try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let mounted = try? ChildProcess.run(
                URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", url.path])
            guard mounted?.status == 0 else { return nil }
        }

        /// Fills what is left with a file; returns it.
        func fill() throws -> URL {
            let filler = url.appendingPathComponent("filler")
            _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
            let handle = try FileHandle(forWritingTo: filler)
            defer { try? handle.close() }
            let chunk = Data(repeating: 7, count: 4096)
            while (try? handle.write(contentsOf: chunk)) != nil {}
            return filler
        }

        func unmount() {
            _ = try? ChildProcess.run(URL(fileURLWithPath: "/bin/umount"), ["-l", url.path])
        }
    }

    static func application(database: String) throws -> ZibriApplication {
        let spec = """
            zibri: "1"
            info: { title: Faults, version: "1" }
            storage: "sqlite:\(database)"
            websocket:
              path: /ws
              # Hundreds of messages until the disk is full: the rate limit is not what is tested.
              limits: { messagesPerSecond: 100000 }
              channels:
                "room:{id}": { clientJoin: true }
              routes:
                say: { handler: say, body: { type: string } }
            """
        var logger = Logger(label: "storage-fault-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(yaml: spec, environment: [:], logger: logger)
        // The handler sees the failure as an error with a code, and tells the client.
        app.websocket.handle("say") { (text: String, context) -> JSONValue? in
            do {
                try await context.websocket.send(event: "said", data: .string(text), toChannel: "room:1")
                return ["stored": true]
            } catch let error as WebSocketError {
                return ["error": .string(error.code), "message": .string(error.message)]
            }
        }
        return app
    }

    @Test func aFullDiskFailsSendsClearlyAndTheServerGoesOnOnceThereIsRoom() async throws {
        guard let disk = SmallDisk(kilobytes: 1024) else {
            print("skipped: cannot mount a tmpfs (needs root)")
            return
        }
        defer { disk.unmount() }
        let app = try await Self.application(database: disk.url.appendingPathComponent("zibri.sqlite").path)
            .makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await RawWebSocket.connect(port: port) { listener in
                try await listener.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
                _ = try await listener.receive { $0["ack"] == 1 }
                try await RawWebSocket.connect(port: port) { sender in
                    _ = try await sender.receive { $0["event"] == "ws:connected" }
                    let filler = try disk.fill()
                    // The log's WAL file grows with each message until a write finds no room.
                    let text = String(repeating: "x", count: 2000)
                    var failure: JSONValue?
                    for number in 1...400 where failure == nil {
                        try await sender.send(text: #"{"event": "say", "body": "\#(text)", "ack": \#(number)}"#)
                        let answer = try await sender.receive { $0["ack"] == .integer(number) }
                        if answer["data"]?["error"] != nil { failure = answer["data"] }
                    }
                    let failed = try #require(failure, "no write failed on a full disk")
                    #expect(failed["error"] == "storage-failed")
                    #expect(failed["message"]?.string?.contains("disk is full") == true, "\(failed)")

                    // Room again: the next message is logged and delivered.
                    try FileManager.default.removeItem(at: filler)
                    try await sender.send(text: #"{"event": "say", "body": "back", "ack": 1000}"#)
                    #expect(try await sender.receive { $0["ack"] == 1000 }["data"] == ["stored": true])
                }
                #expect(try await listener.receive { $0["data"] == "back" }["event"] == "said")
            }
        }
    }
}
