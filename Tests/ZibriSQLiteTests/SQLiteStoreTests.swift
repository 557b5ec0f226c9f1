import Foundation
import GRDB
import Testing
import ZibriStorage
import ZibriTesting

@testable import ZibriSQLite

@Suite struct SQLiteStoreTests {
    /// A fresh database file in a fresh directory.
    static func temporaryPath() throws -> String {
        let directory = TestProcessFolder.url.appendingPathComponent("sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("zibri.sqlite").path
    }

    @Test func passesTheStoreConformanceSuite() async throws {
        try await StoreConformanceSuite { try SQLiteStore(path: try Self.temporaryPath()) }.run()
    }

    @Test func everythingSurvivesReopeningTheFile() async throws {
        let path = try Self.temporaryPath()
        let epoch: String
        do {
            let store = try SQLiteStore(path: path)
            epoch = try await store.logEpoch()
            try await store.openSession(SessionRecord(token: "t1", connectionID: "c1", userID: "u1", nodeID: "n1"))
            try await store.join(connectionID: "c1", channel: "room:1", afterSeq: 0)
            _ = try await store.append([LogEntry(recipient: .channel("room:1"), event: "hi", data: ["n": 1])])
            try await store.closeSession(connectionID: "c1", epoch: 1, at: Date(), keep: true)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.lastSeq() == 1)
        #expect(try await reopened.logEpoch() == epoch)
        #expect(try await reopened.session(token: "t1")?.userID == "u1")
        #expect(try await reopened.channels(ofConnection: "c1") == ["room:1"])
        let owed = try await reopened.messages(owedTo: "c1", userID: "u1", after: 0, limit: 10)
        #expect(owed.map(\.entry.data) == [["n": 1]])
        #expect(try await reopened.append([LogEntry(recipient: .all, event: "next", data: .null)]).map(\.seq) == [2])
    }

    /// Another process holds the write lock: writes fail after the busy timeout with SQLite's
    /// own words, reads go on (WAL), and writing works again once the lock is released.
    @Test func aLockedDatabaseFailsWritesClearlyAndRecovers() async throws {
        let path = try Self.temporaryPath()
        let store = try SQLiteStore(path: path, busyTimeout: .milliseconds(200))
        _ = try await store.append([LogEntry(recipient: .all, event: "before", data: .null)])
        // Another connection takes the write lock and holds it until told to let go.
        let other = try DatabaseQueue(path: path)
        let (locked, release) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        // On a thread of its own: it blocks while it holds the lock.
        let holder = Task {
            try await offThePool {
                try other.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN EXCLUSIVE")
                    locked.signal()
                    release.wait()
                    try db.execute(sql: "COMMIT")
                }
            }
        }
        try await offThePool { locked.wait() }
        do {
            _ = try await store.append([LogEntry(recipient: .all, event: "during", data: .null)])
            Issue.record("a write went through a held lock")
        } catch {
            #expect("\(error)".contains("database is locked"), "\(error)")
        }
        #expect(try await store.lastSeq() == 1)
        release.signal()
        try await holder.value
        #expect(try await store.append([LogEntry(recipient: .all, event: "after", data: .null)]).map(\.seq) == [2])
    }

    /// A file emptied (truncated to 0 bytes) is a new log: another epoch.
    @Test func anEmptiedFileStartsANewLog() async throws {
        let path = try Self.temporaryPath()
        let before = try await SQLiteStore(path: path).logEpoch()
        FileManager.default.createFile(atPath: path, contents: Data())
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let after = try SQLiteStore(path: path)
        #expect(try await after.logEpoch() != before)
        #expect(try await after.lastSeq() == 0)
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let path = try Self.temporaryPath()
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { try SQLiteStore(path: path) }
    }

    /// A file from before durable memberships were intervals (v3): the user stays a member, owed
    /// what comes after the upgrade, and a session's own rows of before still count.
    @Test func aVersion3FileKeepsItsDurableMemberships() async throws {
        let path = try Self.temporaryPath()
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteStore.migrator.migrate(pool, upTo: "v3: durable memberships")
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO sessions (connection_id, token, user_id, node_id, epoch, connected_at)
                        VALUES ('c1', 't1', 'u1', 'n1', 1, 0);
                        INSERT INTO memberships (connection_id, channel, joined_after) VALUES ('c1', 'room:1', 0);
                        INSERT INTO durable_memberships (user_id, channel) VALUES ('u1', 'room:1');
                        INSERT INTO messages (seq, recipient_kind, recipient_id, event, data, at)
                        VALUES (1, 'channel', 'room:1', 'old', 'null', 0);
                        UPDATE counters SET value = 1 WHERE name = 'last_seq';
                        """)
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(try await store.durableChannels(ofUser: "u1") == ["room:1"])
        _ = try await store.append([LogEntry(recipient: .channel("room:1"), event: "new", data: .null)])  // 2
        try await store.openSession(SessionRecord(token: "t2", connectionID: "c2", userID: "u1", nodeID: "n1"))
        #expect(try await store.channels(ofConnection: "c2") == ["room:1"])
        #expect(try await store.messages(owedTo: "c1", userID: "u1", after: 0, limit: 10).map(\.seq) == [1, 2])
        #expect(try await store.messages(owedTo: "c2", userID: "u1", after: 0, limit: 10).map(\.seq) == [2])
    }
}
