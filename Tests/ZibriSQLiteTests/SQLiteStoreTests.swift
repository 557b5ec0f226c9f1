import Foundation
import Testing
import ZibriSQLite
import ZibriStorage
import ZibriTesting

@Suite struct SQLiteStoreTests {
    /// A fresh database file in a fresh directory.
    static func temporaryPath() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zibri-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("zibri.sqlite").path
    }

    @Test func passesTheStoreConformanceSuite() async throws {
        try await StoreConformanceSuite { try SQLiteStore(path: try Self.temporaryPath()) }.run()
    }

    @Test func everythingSurvivesReopeningTheFile() async throws {
        let path = try Self.temporaryPath()
        do {
            let store = try SQLiteStore(path: path)
            try await store.openSession(SessionRecord(token: "t1", connectionID: "c1", userID: "u1", nodeID: "n1"))
            try await store.join(connectionID: "c1", channel: "room:1", afterSeq: 0)
            _ = try await store.append([LogEntry(recipient: .channel("room:1"), event: "hi", data: ["n": 1])])
            try await store.closeSession(connectionID: "c1", epoch: 1, at: Date(), keep: true)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.lastSeq() == 1)
        #expect(try await reopened.session(token: "t1")?.userID == "u1")
        #expect(try await reopened.channels(ofConnection: "c1") == ["room:1"])
        let owed = try await reopened.messages(owedTo: "c1", userID: "u1", after: 0, limit: 10)
        #expect(owed.map(\.entry.data) == [["n": 1]])
        #expect(try await reopened.append([LogEntry(recipient: .all, event: "next", data: .null)]).map(\.seq) == [2])
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let path = try Self.temporaryPath()
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { try SQLiteStore(path: path) }
    }
}
