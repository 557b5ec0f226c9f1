import Foundation
import Testing
import ZibriSchema
import ZibriTesting

/// `swift run chat` on a database file that is not what it should be: one line saying so and
/// exit status 1 when it cannot start, 503 and a failing `/ready` when a page it reads later is
/// damaged; never a crash report, never a 500.
@Suite(.timeLimit(.minutes(2))) struct ChatServerTests {
    static var chat: URL { ChildProcess.builtProduct("chat", packageRoot: TodoAPITests.root) }

    static func environment(_ database: String) -> [String: String] {
        [
            "ZIBRI_PORT": "0", "ZIBRI_STORAGE_URL": "sqlite:\(database)",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
        ]
    }

    @Test func aFileThatIsNotADatabaseEndsTheChatWithOneLineAndStatus1() throws {
        let folder = try TodoAPITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("chat.sqlite").path
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: database))
        let result = try ChildProcess.run(Self.chat, [], environment: Self.environment(database))
        #expect(result.status == 1)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.hasPrefix("chat: ") == true)
        #expect(result.standardError.contains(database))
        #expect(!result.standardError.contains("Fatal error"))
    }

    @Test func aDamagedPageIsA503AndReadyFailsNotA500() async throws {
        let folder = try TodoAPITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("chat.sqlite").path
        let marker = "damaged-page-marker-7f3c"

        // A chat that logged a message, stopped cleanly (so the log is in the file, not the WAL).
        let first = try await Self.start(database)
        let posted = try await Self.post(marker, port: first.port)
        #expect(posted == 201)
        #expect(first.stop() == 0)

        // The page that holds the message is overwritten with noise.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: database)))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        let at = try #require(Self.find(Array(marker.utf8), in: bytes), "the message is not in the file")
        let page = at / pageSize * pageSize
        for index in page..<(page + pageSize) { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: database))

        // It starts (the pages it reads at the start are whole) and is ready, until it reads the
        // damaged page: then a 503, and /ready fails saying why.
        let second = try await Self.start(database)
        defer { second.kill() }
        #expect(try await Self.post("after", port: second.port) == 503)
        let ready = try await LiveHTTP.request("GET", "http://127.0.0.1:\(second.port)/ready")
        #expect(ready.status == 503)
        #expect(String(decoding: ready.body, as: UTF8.self).contains("storage-corrupt"))
    }

    static func start(_ database: String) async throws -> ServerProcess {
        try await offThePool {
            try ServerProcess(Self.chat, environment: Self.environment(database), port: ServerProcess.portOfURL)
        }
    }

    /// Posts a message to the lobby over HTTP; returns the status.
    static func post(_ message: String, port: Int) async throws -> Int {
        try await LiveHTTP.request(
            "POST", "http://127.0.0.1:\(port)/api/rooms/lobby/messages", body: #"{"message": "\#(message)"}"#,
            headers: ["Content-Type": "application/json"]
        ).status
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { start in
            haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle
        }
    }
}
