public import Foundation
import GRDB
import ZibriJSON
import ZibriSchema
public import ZibriStorage

/// The embedded store (`storage: sqlite:PATH`, the default `sqlite:zibri.sqlite`): sessions,
/// memberships and the message log in one SQLite file, through GRDB in WAL mode (a
/// `DatabasePool`: readers never wait for the writer). Each `append` is one transaction, so the
/// dispatcher's batches cost one commit, not one per message. `synchronous = NORMAL`: a commit
/// survives the process being killed; only a power cut can lose the last ones.
public final class SQLiteStore: ZibriStore, Sendable {
    private let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A write that finds the database locked by another process waits up to `busyTimeout`,
    /// then fails (and the server goes on: the next write tries again).
    public init(path: String, busyTimeout: Duration = .seconds(10)) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(
            Double(busyTimeout.components.seconds) + Double(busyTimeout.components.attoseconds) / 1e18)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// A write transaction; GRDB's errors become `StoreError`s with a code.
    func write<Value: Sendable>(_ body: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        do {
            return try await pool.write(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    func read<Value: Sendable>(_ body: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// A damaged file (`SQLITE_CORRUPT`, `SQLITE_NOTADB`) is `storage-corrupt`: nothing will work
    /// until the file is restored, and the runtime stops trying. Other errors keep their text.
    static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(code: StoreError.corruptCode, message: "the SQLite file is damaged: \(error)")
        default:
            return StoreError(code: "sqlite-error", message: "\(error)")
        }
    }

    /// Versioned schema changes; each runs once per database, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions, memberships, messages") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        connection_id TEXT PRIMARY KEY,
                        token TEXT NOT NULL UNIQUE,
                        user_id TEXT,
                        node_id TEXT NOT NULL,
                        epoch INTEGER NOT NULL,
                        connected_at REAL NOT NULL,
                        disconnected_at REAL
                    );
                    CREATE INDEX sessions_by_user ON sessions(user_id);
                    CREATE INDEX sessions_by_disconnect ON sessions(disconnected_at);
                    CREATE TABLE memberships (
                        connection_id TEXT NOT NULL REFERENCES sessions(connection_id) ON DELETE CASCADE,
                        channel TEXT NOT NULL,
                        joined_after INTEGER NOT NULL,
                        left_after INTEGER,
                        PRIMARY KEY (connection_id, channel, joined_after)
                    );
                    CREATE INDEX memberships_by_channel ON memberships(channel, left_after);
                    CREATE TABLE messages (
                        seq INTEGER PRIMARY KEY,
                        recipient_kind TEXT NOT NULL,
                        recipient_id TEXT,
                        event TEXT NOT NULL,
                        data TEXT NOT NULL,
                        sender_user_id TEXT,
                        sender_connection_id TEXT,
                        excluded_connection_id TEXT,
                        at REAL NOT NULL
                    );
                    CREATE INDEX messages_by_time ON messages(at);
                    CREATE INDEX messages_by_recipient ON messages(recipient_kind, recipient_id, seq);
                    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    INSERT INTO counters VALUES ('last_seq', 0), ('trimmed_through', 0);
                    """)
        }
        migrator.registerMigration("v2: the log's epoch") { db in
            try db.execute(sql: "INSERT INTO counters VALUES ('epoch', ?)", arguments: [LogEpoch.random()])
        }
        migrator.registerMigration("v3: durable memberships") { db in
            try db.execute(
                sql: """
                    CREATE TABLE durable_memberships (
                        user_id TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        PRIMARY KEY (user_id, channel)
                    );
                    """)
        }
        // Durable memberships as intervals of the log, read by every session of the user instead
        // of copied into each. Those of v3 count from the head of the log: their sessions' own
        // rows hold what came before.
        migrator.registerMigration("v4: durable memberships as intervals") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user_memberships (
                        user_id TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        joined_after INTEGER NOT NULL,
                        left_after INTEGER,
                        PRIMARY KEY (user_id, channel, joined_after)
                    );
                    CREATE INDEX user_memberships_by_channel ON user_memberships(channel, left_after);
                    INSERT INTO user_memberships (user_id, channel, joined_after)
                        SELECT user_id, channel, (SELECT value FROM counters WHERE name = 'last_seq')
                        FROM durable_memberships;
                    DROP TABLE durable_memberships;
                    """)
        }
        return migrator
    }

    // MARK: Sessions

    public func openSession(_ session: SessionRecord) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO sessions (connection_id, token, user_id, node_id, epoch, connected_at, disconnected_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.connectionID, session.token, session.userID, session.nodeID, session.epoch,
                    session.connectedAt.timeIntervalSince1970, session.disconnectedAt?.timeIntervalSince1970,
                ])
        }
    }

    public func resumeSession(token: String, userID: String?, nodeID: String, at: Date) async throws -> SessionRecord? {
        try await write { db in
            guard var session = try Self.session(db, token: token), session.userID == userID else { return nil }
            session.epoch += 1
            session.nodeID = nodeID
            session.connectedAt = at
            session.disconnectedAt = nil
            try db.execute(
                sql: """
                    UPDATE sessions SET epoch = ?, node_id = ?, connected_at = ?, disconnected_at = NULL
                    WHERE connection_id = ?
                    """,
                arguments: [session.epoch, nodeID, at.timeIntervalSince1970, session.connectionID])
            return session
        }
    }

    public func session(token: String) async throws -> SessionRecord? {
        try await read { db in try Self.session(db, token: token) }
    }

    private static func session(_ db: Database, token: String) throws -> SessionRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE token = ?", arguments: [token]).map(session)
    }

    private static func session(_ row: Row) -> SessionRecord {
        SessionRecord(
            token: row["token"], connectionID: row["connection_id"], userID: row["user_id"], nodeID: row["node_id"],
            epoch: row["epoch"], connectedAt: Date(timeIntervalSince1970: row["connected_at"]),
            disconnectedAt: (row["disconnected_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    public func closeSession(connectionID: String, epoch: Int, at: Date, keep: Bool) async throws {
        try await write { db in
            if keep {
                try db.execute(
                    sql: "UPDATE sessions SET disconnected_at = ? WHERE connection_id = ? AND epoch = ?",
                    arguments: [at.timeIntervalSince1970, connectionID, epoch])
            } else {
                try db.execute(
                    sql: "DELETE FROM sessions WHERE connection_id = ? AND epoch = ?", arguments: [connectionID, epoch])
            }
        }
    }

    public func closeSessions(ofNode nodeID: String, at: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE sessions SET disconnected_at = ? WHERE node_id = ? AND disconnected_at IS NULL",
                arguments: [at.timeIntervalSince1970, nodeID])
        }
    }

    public func revokeSessions(ofUser userID: String) async throws -> [String] {
        try await write { db in
            try String.fetchAll(
                db, sql: "DELETE FROM sessions WHERE user_id = ? RETURNING connection_id", arguments: [userID]
            ).sorted()
        }
    }

    public func connection(id: String) async throws -> ConnectionRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM sessions WHERE connection_id = ? AND disconnected_at IS NULL", arguments: [id]
            ).map { Self.session($0).connection }
        }
    }

    public func connections(ofUser userID: String) async throws -> [ConnectionRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM sessions WHERE user_id = ? AND disconnected_at IS NULL ORDER BY connection_id",
                arguments: [userID]
            ).map { Self.session($0).connection }
        }
    }

    public func connectionCount() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions WHERE disconnected_at IS NULL") ?? 0
        }
    }

    // MARK: The message log

    public func append(_ entries: [LogEntry]) async throws -> [StoredMessage] {
        guard !entries.isEmpty else { return [] }
        return try await write { db in
            let last = try Int.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'last_seq'") ?? 0
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO messages (seq, recipient_kind, recipient_id, event, data, sender_user_id,
                        sender_connection_id, excluded_connection_id, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            var stored: [StoredMessage] = []
            stored.reserveCapacity(entries.count)
            for (offset, entry) in entries.enumerated() {
                let seq = last + offset + 1
                try insert.execute(arguments: [
                    seq, entry.recipient.kind, entry.recipient.id, entry.event, entry.data.jsonText,
                    entry.senderUserID, entry.senderConnectionID, entry.excludedConnectionID,
                    entry.at.timeIntervalSince1970,
                ])
                stored.append(StoredMessage(seq: seq, entry: entry))
            }
            try db.execute(
                sql: "UPDATE counters SET value = ? WHERE name = 'last_seq'", arguments: [last + entries.count])
            return stored
        }
    }

    public func lastSeq() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'last_seq'") ?? 0
        }
    }

    public func messages(
        owedTo connectionID: String, userID: String?, after seq: Int, limit: Int
    ) async throws
        -> [StoredMessage]
    {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM messages m
                    WHERE m.seq > :after
                      AND (m.excluded_connection_id IS NULL OR m.excluded_connection_id <> :connection)
                      AND (m.recipient_kind = 'all'
                        OR (m.recipient_kind = 'connection' AND m.recipient_id = :connection)
                        OR (m.recipient_kind = 'user' AND m.recipient_id = :user)
                        OR (m.recipient_kind = 'channel' AND EXISTS (
                            SELECT 1 FROM memberships ms
                            WHERE ms.connection_id = :connection AND ms.channel = m.recipient_id
                              AND ms.joined_after < m.seq AND (ms.left_after IS NULL OR m.seq <= ms.left_after)))
                        OR (m.recipient_kind = 'channel' AND EXISTS (
                            SELECT 1 FROM user_memberships um
                            WHERE um.user_id = :user AND um.channel = m.recipient_id
                              AND um.joined_after < m.seq AND (um.left_after IS NULL OR m.seq <= um.left_after))))
                    ORDER BY m.seq
                    LIMIT :limit
                    """,
                arguments: ["after": seq, "connection": connectionID, "user": userID, "limit": limit]
            ).map(Self.message)
        }
    }

    private static func message(_ row: Row) throws -> StoredMessage {
        let text: String = row["data"]
        let kind: String = row["recipient_kind"]
        let id: String? = row["recipient_id"]
        guard let recipient = Recipient(kind: kind, id: id) else {
            throw StoreError(code: "corrupt-log", message: "message \(row["seq"] as Int) has recipient '\(kind)'")
        }
        return StoredMessage(
            seq: row["seq"],
            entry: LogEntry(
                recipient: recipient, event: row["event"], data: try JSONParser().parse(Array(text.utf8)),
                senderUserID: row["sender_user_id"], senderConnectionID: row["sender_connection_id"],
                excludedConnectionID: row["excluded_connection_id"], at: Date(timeIntervalSince1970: row["at"])))
    }

    public func logEpoch() async throws -> String {
        try await read { db in
            LogEpoch.text(try Int.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'epoch'") ?? 0)
        }
    }

    public func trimmedThrough() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'trimmed_through'") ?? 0
        }
    }

    public func trim(messagesBefore: Date, sessionsBefore: Date) async throws {
        try await write { db in
            let cutoff = messagesBefore.timeIntervalSince1970
            if let newest = try Int.fetchOne(db, sql: "SELECT max(seq) FROM messages WHERE at < ?", arguments: [cutoff])
            {
                try db.execute(sql: "DELETE FROM messages WHERE seq <= ?", arguments: [newest])
                try db.execute(
                    sql: "UPDATE counters SET value = max(value, ?) WHERE name = 'trimmed_through'", arguments: [newest]
                )
            }
            try db.execute(
                sql: "DELETE FROM sessions WHERE disconnected_at < ?", arguments: [sessionsBefore.timeIntervalSince1970]
            )
            try db.execute(
                sql: """
                    DELETE FROM user_memberships
                    WHERE left_after <= (SELECT value FROM counters WHERE name = 'trimmed_through')
                    """)
        }
    }
}
