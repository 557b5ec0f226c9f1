public import Foundation
public import Logging
import PostgresNIO
import ZibriJSON
import ZibriSchema
public import ZibriStorage

/// The multi-node store (`storage: postgres://USER:PASSWORD@HOST:PORT/DATABASE`): sessions,
/// memberships and the message log in PostgreSQL, shared by every node. The log's `seq` comes
/// from a counter row updated in the appending transaction: its row lock makes appends from all
/// nodes take turns, so `seq` order is commit order and a reader that has seen `seq` n has seen
/// everything before it (a `SEQUENCE` would hand out numbers that commit out of order).
///
/// Nodes hear of each other through `LISTEN`/`NOTIFY` on the channel `zibri`: a notice names
/// the newest seq logged, never the message, so it stays far below NOTIFY's 8000-byte limit
/// whatever the message's size, and every node reads the rows it has not delivered.
///
/// Call `run()` (the runtime does) for the connection pool and the listener to work.
public final class PostgresStore: SharedStore, Sendable {
    private let client: PostgresClient
    private let connectionConfiguration: PostgresConnection.Configuration
    let logger: Logger
    package let notices: AsyncStream<ClusterNotice>
    private let noticeSink: AsyncStream<ClusterNotice>.Continuation
    /// The NOTIFY channel.
    static let channel = "zibri"

    /// Connects lazily to `url`; `migrate()` brings the schema up to date.
    public init(url: String, logger: Logger = Logger(label: "zibri-postgres")) throws {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw StoreError(
                code: "invalid-url", message: "'\(url)' is not postgres://user:password@host:port/database")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable)
        configuration.options.minimumConnections = 0
        configuration.options.maximumConnections = 8
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        connectionConfiguration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable)
        self.logger = logger
        (notices, noticeSink) = AsyncStream.makeStream(of: ClusterNotice.self)
    }

    /// Runs the pool and the listener until cancelled.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.listen() }
            await group.next()
            group.cancelAll()
        }
        noticeSink.finish()
    }

    /// Keeps one connection listening; after a loss it connects again, with a growing pause
    /// (0.1 s doubling to 5 s, jittered), and says `.listening` once it hears again.
    private func listen() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: connectionConfiguration, id: 0, logger: logger)
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: Self.channel) { notifications in
                            noticeSink.yield(.listening)
                            for try await notification in notifications {
                                if let notice = ClusterNotice(payload: notification.payload) {
                                    noticeSink.yield(notice)
                                } else {
                                    logger.warning("ignoring a notice this node does not understand")
                                }
                            }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                    failures = 0
                } catch {
                    // It did listen before it broke: start the pauses again.
                    failures = 0
                    logger.warning("the PostgreSQL listener lost its connection: \(Self.storeError(error))")
                }
                try? await connection.close()
            } catch {
                logger.warning("the PostgreSQL listener cannot connect: \(Self.storeError(error))")
            }
            failures += 1
            let pause = min(0.1 * Double(1 << min(failures - 1, 6)), 5)
            try? await Task.sleep(for: .seconds(Double.random(in: pause / 2...pause)))
        }
    }

    /// Connects once (a wrong address, password or database fails here at once, with what
    /// PostgreSQL said, where the pool would keep retrying for a minute), then migrates.
    public func prepare() async throws {
        do {
            let probe = try await PostgresConnection.connect(
                configuration: connectionConfiguration, id: 1, logger: logger)
            try await probe.close()
        } catch {
            throw Self.storeError(error)
        }
        try await migrate()
    }

    // MARK: Talking to PostgreSQL

    /// PostgresNIO's errors describe themselves generically (so that a query's values do not
    /// leak into logs); this store says what went wrong, without the values.
    static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        var message = "PostgreSQL: \(error.code)"
        if let info = error.serverInfo {
            message += [info[.sqlState], info[.message]].compactMap { $0 }.map { " \($0)" }.joined()
        } else if let underlying = error.underlying {
            message += " (\(underlying))"
        }
        return StoreError(code: "postgres-error", message: message)
    }

    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        do {
            return try await client.query(query, logger: logger)
        } catch {
            throw Self.storeError(error)
        }
    }

    private func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch {
            throw Self.storeError(error)
        }
    }

    private func connection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await client.withConnection(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    // MARK: Schema

    /// Versioned schema changes, applied once each, in order. Several nodes starting at once take
    /// turns through an advisory lock, so each change runs exactly once.
    static let migrations: [(version: Int, statements: [PostgresQuery])] = [
        (
            1,
            [
                """
                CREATE TABLE zibri_sessions (
                    connection_id TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, user_id TEXT, node_id TEXT NOT NULL,
                    epoch BIGINT NOT NULL, connected_at DOUBLE PRECISION NOT NULL, disconnected_at DOUBLE PRECISION)
                """,
                "CREATE INDEX zibri_sessions_by_user ON zibri_sessions (user_id)",
                "CREATE INDEX zibri_sessions_by_node ON zibri_sessions (node_id)",
                """
                CREATE TABLE zibri_memberships (
                    connection_id TEXT NOT NULL REFERENCES zibri_sessions ON DELETE CASCADE, channel TEXT NOT NULL,
                    joined_after BIGINT NOT NULL, left_after BIGINT, PRIMARY KEY (connection_id, channel, joined_after))
                """,
                "CREATE INDEX zibri_memberships_by_channel ON zibri_memberships (channel) WHERE left_after IS NULL",
                """
                CREATE TABLE zibri_messages (
                    seq BIGINT PRIMARY KEY, recipient_kind TEXT NOT NULL, recipient_id TEXT, event TEXT NOT NULL,
                    data TEXT NOT NULL, sender_user_id TEXT, sender_connection_id TEXT, excluded_connection_id TEXT,
                    at DOUBLE PRECISION NOT NULL)
                """,
                "CREATE INDEX zibri_messages_by_time ON zibri_messages (at)",
                "CREATE TABLE zibri_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
                "INSERT INTO zibri_counters VALUES ('last_seq', 0), ('trimmed_through', 0)",
            ]
        ),
        (2, ["CREATE TABLE zibri_nodes (node_id TEXT PRIMARY KEY, beat_at DOUBLE PRECISION NOT NULL)"]),
        // Drawn by the database: a value drawn here would be the same for every database this
        // process migrates.
        (3, ["INSERT INTO zibri_counters VALUES ('epoch', 1 + floor(random() * 4503599627370496)::bigint)"]),
        (
            4,
            [
                """
                CREATE TABLE zibri_durable_memberships (
                    user_id TEXT NOT NULL, channel TEXT NOT NULL, PRIMARY KEY (user_id, channel))
                """
            ]
        ),
        // Durable memberships as intervals of the log, read by every session of the user instead
        // of copied into each. Those of 4 count from the head of the log: their sessions' own
        // rows hold what came before.
        (
            5,
            [
                """
                CREATE TABLE zibri_user_memberships (
                    user_id TEXT NOT NULL, channel TEXT NOT NULL, joined_after BIGINT NOT NULL, left_after BIGINT,
                    PRIMARY KEY (user_id, channel, joined_after))
                """,
                "CREATE INDEX zibri_user_memberships_by_channel ON zibri_user_memberships (channel) WHERE left_after IS NULL",
                """
                INSERT INTO zibri_user_memberships (user_id, channel, joined_after)
                SELECT user_id, channel, (SELECT value FROM zibri_counters WHERE name = 'last_seq')
                FROM zibri_durable_memberships
                """,
                "DROP TABLE zibri_durable_memberships",
            ]
        ),
    ]

    /// Applies the migrations this database lacks.
    public func migrate() async throws {
        let logger = self.logger
        try await connection { connection in
            try await connection.query("SELECT pg_advisory_lock(72630001)", logger: logger)
            do {
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS zibri_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: logger)
                var applied: Set<Int> = []
                for try await version in try await connection.query(
                    "SELECT version FROM zibri_migrations", logger: logger
                )
                .decode(Int.self) {
                    applied.insert(version)
                }
                for migration in Self.migrations where !applied.contains(migration.version) {
                    try await connection.withTransaction(logger: logger) { transaction in
                        for statement in migration.statements { try await transaction.query(statement, logger: logger) }
                        try await transaction.query(
                            "INSERT INTO zibri_migrations (version) VALUES (\(migration.version))", logger: logger)
                    }
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(72630001)", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(72630001)", logger: logger)
        }
    }

    // MARK: Sessions

    private typealias SessionRow = (String, String, String?, String, Int, Double, Double?)
    private static let sessionColumns = "token, connection_id, user_id, node_id, epoch, connected_at, disconnected_at"

    private static func session(_ row: SessionRow) -> SessionRecord {
        SessionRecord(
            token: row.0, connectionID: row.1, userID: row.2, nodeID: row.3, epoch: row.4,
            connectedAt: Date(timeIntervalSince1970: row.5),
            disconnectedAt: row.6.map(Date.init(timeIntervalSince1970:)))
    }

    private func sessions(_ query: PostgresQuery) async throws -> [SessionRecord] {
        var found: [SessionRecord] = []
        for try await row in try await self.query(query, logger: logger).decode(SessionRow.self) {
            found.append(Self.session(row))
        }
        return found
    }

    public func openSession(_ session: SessionRecord) async throws {
        try await query(
            """
            INSERT INTO zibri_sessions (token, connection_id, user_id, node_id, epoch, connected_at, disconnected_at)
            VALUES (\(session.token), \(session.connectionID), \(session.userID), \(session.nodeID), \(session.epoch),
                    \(session.connectedAt.timeIntervalSince1970), \(session.disconnectedAt?.timeIntervalSince1970))
            """, logger: logger)
    }

    public func resumeSession(token: String, userID: String?, nodeID: String, at: Date) async throws -> SessionRecord? {
        try await sessions(
            """
            UPDATE zibri_sessions SET epoch = epoch + 1, node_id = \(nodeID), connected_at = \(at.timeIntervalSince1970),
                disconnected_at = NULL
            WHERE token = \(token) AND user_id IS NOT DISTINCT FROM \(userID)
            RETURNING token, connection_id, user_id, node_id, epoch, connected_at, disconnected_at
            """
        ).first
    }

    public func session(token: String) async throws -> SessionRecord? {
        try await sessions(
            "SELECT token, connection_id, user_id, node_id, epoch, connected_at, disconnected_at FROM zibri_sessions WHERE token = \(token)"
        ).first
    }

    public func closeSession(connectionID: String, epoch: Int, at: Date, keep: Bool) async throws {
        if keep {
            try await query(
                """
                UPDATE zibri_sessions SET disconnected_at = \(at.timeIntervalSince1970)
                WHERE connection_id = \(connectionID) AND epoch = \(epoch)
                """, logger: logger)
        } else {
            try await query(
                "DELETE FROM zibri_sessions WHERE connection_id = \(connectionID) AND epoch = \(epoch)", logger: logger)
        }
    }

    public func closeSessions(ofNode nodeID: String, at: Date) async throws {
        try await query(
            """
            UPDATE zibri_sessions SET disconnected_at = \(at.timeIntervalSince1970)
            WHERE node_id = \(nodeID) AND disconnected_at IS NULL
            """, logger: logger)
    }

    public func revokeSessions(ofUser userID: String) async throws -> [String] {
        var ids: [String] = []
        let rows = try await query(
            "DELETE FROM zibri_sessions WHERE user_id = \(userID) RETURNING connection_id", logger: logger)
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids.sorted()
    }

    public func connection(id: String) async throws -> ConnectionRecord? {
        try await sessions(
            """
            SELECT token, connection_id, user_id, node_id, epoch, connected_at, disconnected_at FROM zibri_sessions
            WHERE connection_id = \(id) AND disconnected_at IS NULL
            """
        ).first?.connection
    }

    public func connections(ofUser userID: String) async throws -> [ConnectionRecord] {
        try await sessions(
            """
            SELECT token, connection_id, user_id, node_id, epoch, connected_at, disconnected_at FROM zibri_sessions
            WHERE user_id = \(userID) AND disconnected_at IS NULL ORDER BY connection_id
            """
        ).map(\.connection)
    }

    public func connectionCount() async throws -> Int {
        try await single("SELECT count(*) FROM zibri_sessions WHERE disconnected_at IS NULL") ?? 0
    }

    private func single(_ query: PostgresQuery) async throws -> Int? {
        for try await value in try await self.query(query, logger: logger).decode(Int.self) { return value }
        return nil
    }

    func strings(_ query: PostgresQuery) async throws -> [String] {
        var values: [String] = []
        for try await value in try await self.query(query, logger: logger).decode(String.self) {
            values.append(value)
        }
        return values
    }

    // MARK: The message log

    /// One statement, so one round trip and one short transaction: the counter row (which makes
    /// appends from all nodes take turns) is locked only while it runs and commits. The entries
    /// travel as one JSON array; the notice goes out when the statement commits.
    public func append(_ entries: [LogEntry]) async throws -> [StoredMessage] {
        guard !entries.isEmpty else { return [] }
        let rows = JSONValue.array(
            entries.enumerated().map { offset, entry in
                .object([
                    "i": .integer(offset), "recipient_kind": .string(entry.recipient.kind),
                    "recipient_id": entry.recipient.id.map(JSONValue.string) ?? .null, "event": .string(entry.event),
                    "data": .string(entry.data.jsonText),
                    "sender_user_id": entry.senderUserID.map(JSONValue.string) ?? .null,
                    "sender_connection_id": entry.senderConnectionID.map(JSONValue.string) ?? .null,
                    "excluded_connection_id": entry.excludedConnectionID.map(JSONValue.string) ?? .null,
                    "at": .number(entry.at.timeIntervalSince1970),
                ])
            }
        ).jsonText
        let count = entries.count
        let answer = try await query(
            """
            WITH counter AS (
                UPDATE zibri_counters SET value = value + \(count) WHERE name = 'last_seq' RETURNING value),
            inserted AS (
                INSERT INTO zibri_messages (seq, recipient_kind, recipient_id, event, data, sender_user_id,
                    sender_connection_id, excluded_connection_id, at)
                SELECT counter.value - \(count) + 1 + r.i, r.recipient_kind, r.recipient_id, r.event, r.data,
                    r.sender_user_id, r.sender_connection_id, r.excluded_connection_id, r.at
                FROM counter, json_to_recordset(\(rows)::json) AS r(
                    i INT, recipient_kind TEXT, recipient_id TEXT, event TEXT, data TEXT, sender_user_id TEXT,
                    sender_connection_id TEXT, excluded_connection_id TEXT, at DOUBLE PRECISION)
                RETURNING seq)
            SELECT counter.value, (SELECT count(*) FROM inserted)::BIGINT
            FROM counter
            CROSS JOIN LATERAL (
                SELECT pg_notify(\(Self.channel), json_build_object('kind', 'logged', 'seq', counter.value)::TEXT)
            ) AS notified
            """, logger: logger)
        for try await (last, inserted) in answer.decode((Int, Int).self) {
            guard inserted == count else {
                throw StoreError(code: "append-failed", message: "\(inserted) of \(count) messages were logged")
            }
            let first = last - count + 1
            return entries.enumerated().map { StoredMessage(seq: first + $0.offset, entry: $0.element) }
        }
        throw StoreError(code: "append-failed", message: "the log's counter is missing")
    }

    public func lastSeq() async throws -> Int {
        try await single("SELECT value FROM zibri_counters WHERE name = 'last_seq'") ?? 0
    }

    private typealias MessageRow = (Int, String, String?, String, String, String?, String?, String?, Double)

    public func messages(
        owedTo connectionID: String, userID: String?, after seq: Int, limit: Int
    ) async throws
        -> [StoredMessage]
    {
        let rows = try await query(
            """
            SELECT m.seq, m.recipient_kind, m.recipient_id, m.event, m.data, m.sender_user_id, m.sender_connection_id,
                m.excluded_connection_id, m.at
            FROM zibri_messages m
            WHERE m.seq > \(seq)
              AND m.excluded_connection_id IS DISTINCT FROM \(connectionID)
              AND (m.recipient_kind = 'all'
                OR (m.recipient_kind = 'connection' AND m.recipient_id = \(connectionID))
                OR (m.recipient_kind = 'user' AND m.recipient_id = \(userID))
                OR (m.recipient_kind = 'channel' AND EXISTS (
                    SELECT 1 FROM zibri_memberships ms
                    WHERE ms.connection_id = \(connectionID) AND ms.channel = m.recipient_id
                      AND ms.joined_after < m.seq AND (ms.left_after IS NULL OR m.seq <= ms.left_after)))
                OR (m.recipient_kind = 'channel' AND EXISTS (
                    SELECT 1 FROM zibri_user_memberships um
                    WHERE um.user_id = \(userID) AND um.channel = m.recipient_id
                      AND um.joined_after < m.seq AND (um.left_after IS NULL OR m.seq <= um.left_after))))
            ORDER BY m.seq
            LIMIT \(limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [StoredMessage] {
        var messages: [StoredMessage] = []
        for try await row in rows.decode(MessageRow.self) {
            guard let recipient = Recipient(kind: row.1, id: row.2) else {
                throw StoreError(code: "corrupt-log", message: "message \(row.0) has recipient '\(row.1)'")
            }
            messages.append(
                StoredMessage(
                    seq: row.0,
                    entry: LogEntry(
                        recipient: recipient, event: row.3, data: try JSONParser().parse(Array(row.4.utf8)),
                        senderUserID: row.5, senderConnectionID: row.6, excludedConnectionID: row.7,
                        at: Date(timeIntervalSince1970: row.8))))
        }
        return messages
    }

    package func messages(after seq: Int, limit: Int) async throws -> [StoredMessage] {
        try await Self.decode(
            try await query(
                """
                SELECT seq, recipient_kind, recipient_id, event, data, sender_user_id, sender_connection_id,
                    excluded_connection_id, at
                FROM zibri_messages WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)
                """, logger: logger))
    }

    public func logEpoch() async throws -> String {
        LogEpoch.text(try await single("SELECT value FROM zibri_counters WHERE name = 'epoch'") ?? 0)
    }

    public func trimmedThrough() async throws -> Int {
        try await single("SELECT value FROM zibri_counters WHERE name = 'trimmed_through'") ?? 0
    }

    public func trim(messagesBefore: Date, sessionsBefore: Date) async throws {
        let logger = self.logger
        let cutoff = messagesBefore.timeIntervalSince1970
        let sessionCutoff = sessionsBefore.timeIntervalSince1970
        try await transaction { connection in
            try await connection.query(
                """
                WITH gone AS (DELETE FROM zibri_messages WHERE at < \(cutoff) RETURNING seq)
                UPDATE zibri_counters SET value = GREATEST(value, (SELECT COALESCE(max(seq), 0) FROM gone))
                WHERE name = 'trimmed_through'
                """, logger: logger)
            try await connection.query(
                "DELETE FROM zibri_sessions WHERE disconnected_at < \(sessionCutoff)", logger: logger)
            try await connection.query(
                """
                DELETE FROM zibri_user_memberships
                WHERE left_after <= (SELECT value FROM zibri_counters WHERE name = 'trimmed_through')
                """, logger: logger)
        }
    }

    // MARK: Nodes

    package func announce(_ notice: ClusterNotice) async throws {
        let payload = notice.payload
        guard payload.utf8.count <= ClusterNotice.maxPayloadBytes else {
            throw StoreError(
                code: "notice-too-large",
                message:
                    "a notice of \(payload.utf8.count) bytes does not fit PostgreSQL's NOTIFY (at most \(ClusterNotice.maxPayloadBytes))"
            )
        }
        try await query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger)
    }

    package func beat(nodeID: String, at: Date) async throws -> Bool {
        let known = try await strings(
            """
            WITH previous AS (SELECT node_id FROM zibri_nodes WHERE node_id = \(nodeID)),
            beat AS (
                INSERT INTO zibri_nodes (node_id, beat_at) VALUES (\(nodeID), \(at.timeIntervalSince1970))
                ON CONFLICT (node_id) DO UPDATE SET beat_at = EXCLUDED.beat_at)
            SELECT node_id FROM previous
            """)
        return !known.isEmpty
    }

    package func reapNodes(silentSince: Date) async throws -> [String] {
        let logger = self.logger
        return try await transaction { connection in
            var reaped: [String] = []
            for try await node in try await connection.query(
                """
                WITH gone AS (DELETE FROM zibri_nodes WHERE beat_at < \(silentSince.timeIntervalSince1970)
                              RETURNING node_id, beat_at),
                closed AS (
                    UPDATE zibri_sessions s SET disconnected_at = gone.beat_at FROM gone
                    WHERE s.node_id = gone.node_id AND s.disconnected_at IS NULL)
                SELECT node_id FROM gone ORDER BY node_id COLLATE "C"
                """, logger: logger
            ).decode(String.self) {
                reaped.append(node)
            }
            return reaped
        }
    }
}
