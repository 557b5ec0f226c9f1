import GRDB
public import ZibriStorage

/// Channels: the sessions' memberships and the users' durable ones, as intervals of the log.
extension SQLiteStore {
    public func join(connectionID: String, channel: String, afterSeq: Int) async throws {
        try await write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM sessions WHERE connection_id = ?", arguments: [connectionID])
                    != nil
            else { throw StoreError.unknownConnection(connectionID) }
            try Self.join(db, table: "memberships", owner: "connection_id", connectionID, channel, afterSeq)
        }
    }

    public func leave(connectionID: String, channel: String, afterSeq: Int) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE memberships SET left_after = ?
                    WHERE connection_id = ? AND channel = ? AND left_after IS NULL
                    """,
                arguments: [afterSeq, connectionID, channel])
        }
    }

    public func channels(ofConnection id: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT channel FROM memberships WHERE connection_id = :id AND left_after IS NULL
                    UNION
                    SELECT um.channel FROM user_memberships um JOIN sessions s ON s.user_id = um.user_id
                    WHERE s.connection_id = :id AND um.left_after IS NULL
                    ORDER BY 1
                    """,
                arguments: ["id": id])
        }
    }

    public func members(ofChannel channel: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT m.connection_id FROM memberships m JOIN sessions s ON s.connection_id = m.connection_id
                    WHERE m.channel = :channel AND m.left_after IS NULL AND s.disconnected_at IS NULL
                    UNION
                    SELECT s.connection_id FROM user_memberships um JOIN sessions s ON s.user_id = um.user_id
                    WHERE um.channel = :channel AND um.left_after IS NULL AND s.disconnected_at IS NULL
                    ORDER BY 1
                    """,
                arguments: ["channel": channel])
        }
    }

    /// Opens an interval of `owner`'s membership after `seq`: none when one is open, the last one
    /// again when it ended at or after `seq` (a join, a leave and a join at one place are one).
    private static func join(
        _ db: Database, table: String, owner column: String, _ owner: String, _ channel: String, _ seq: Int
    ) throws {
        try db.execute(
            sql: """
                UPDATE \(table) SET left_after = NULL
                WHERE \(column) = :owner AND channel = :channel AND left_after >= :seq
                  AND joined_after = (SELECT max(joined_after) FROM \(table) WHERE \(column) = :owner AND channel = :channel)
                  AND NOT EXISTS (
                    SELECT 1 FROM \(table) WHERE \(column) = :owner AND channel = :channel AND left_after IS NULL)
                """,
            arguments: ["owner": owner, "channel": channel, "seq": seq])
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO \(table) (\(column), channel, joined_after)
                SELECT :owner, :channel, :seq WHERE NOT EXISTS (
                    SELECT 1 FROM \(table) WHERE \(column) = :owner AND channel = :channel AND left_after IS NULL)
                """,
            arguments: ["owner": owner, "channel": channel, "seq": seq])
    }

    // MARK: Durable memberships

    public func joinDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await write { db in
            try Self.join(db, table: "user_memberships", owner: "user_id", userID, channel, afterSeq)
        }
    }

    public func leaveDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE user_memberships SET left_after = :after
                    WHERE user_id = :user AND channel = :channel AND left_after IS NULL
                    """,
                arguments: ["after": afterSeq, "user": userID, "channel": channel])
            try db.execute(
                sql: """
                    UPDATE memberships SET left_after = :after
                    WHERE channel = :channel AND left_after IS NULL
                      AND connection_id IN (SELECT connection_id FROM sessions WHERE user_id = :user)
                    """,
                arguments: ["after": afterSeq, "user": userID, "channel": channel])
        }
    }

    public func durableChannels(ofUser userID: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: "SELECT channel FROM user_memberships WHERE user_id = ? AND left_after IS NULL ORDER BY channel",
                arguments: [userID])
        }
    }
}
