import GRDB
public import ZibriStorage

/// Channels: the sessions' memberships, as intervals of the log, and the users' durable ones.
extension SQLiteStore {
    public func join(connectionID: String, channel: String, afterSeq: Int) async throws {
        try await write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM sessions WHERE connection_id = ?", arguments: [connectionID])
                    != nil
            else { throw StoreError.unknownConnection(connectionID) }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO memberships (connection_id, channel, joined_after)
                    SELECT ?, ?, ? WHERE NOT EXISTS (
                        SELECT 1 FROM memberships WHERE connection_id = ? AND channel = ? AND left_after IS NULL)
                    """,
                arguments: [connectionID, channel, afterSeq, connectionID, channel])
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
                sql: "SELECT channel FROM memberships WHERE connection_id = ? AND left_after IS NULL ORDER BY channel",
                arguments: [id])
        }
    }

    public func members(ofChannel channel: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT m.connection_id FROM memberships m JOIN sessions s ON s.connection_id = m.connection_id
                    WHERE m.channel = ? AND m.left_after IS NULL AND s.disconnected_at IS NULL
                    ORDER BY m.connection_id
                    """,
                arguments: [channel])
        }
    }

    public func join(connectionID: String, channels: [String], afterSeq: Int) async throws {
        try await write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM sessions WHERE connection_id = ?", arguments: [connectionID])
                    != nil
            else { throw StoreError.unknownConnection(connectionID) }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO memberships (connection_id, channel, joined_after)
                    SELECT ?, ?, ? WHERE NOT EXISTS (
                        SELECT 1 FROM memberships WHERE connection_id = ? AND channel = ? AND left_after IS NULL)
                    """)
            for channel in channels {
                try insert.execute(arguments: [connectionID, channel, afterSeq, connectionID, channel])
            }
        }
    }

    // MARK: Durable memberships

    public func joinDurably(userID: String, channel: String, afterSeq: Int, nodeID: String) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO durable_memberships (user_id, channel) VALUES (?, ?)",
                arguments: [userID, channel])
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO memberships (connection_id, channel, joined_after)
                    SELECT s.connection_id, :channel, :after FROM sessions s
                    WHERE s.user_id = :user AND (s.disconnected_at IS NOT NULL OR s.node_id = :node)
                      AND NOT EXISTS (
                        SELECT 1 FROM memberships m
                        WHERE m.connection_id = s.connection_id AND m.channel = :channel AND m.left_after IS NULL)
                    """,
                arguments: ["channel": channel, "after": afterSeq, "user": userID, "node": nodeID])
        }
    }

    public func leaveDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM durable_memberships WHERE user_id = ? AND channel = ?", arguments: [userID, channel])
            try db.execute(
                sql: """
                    UPDATE memberships SET left_after = ?
                    WHERE channel = ? AND left_after IS NULL
                      AND connection_id IN (SELECT connection_id FROM sessions WHERE user_id = ?)
                    """,
                arguments: [afterSeq, channel, userID])
        }
    }

    public func durableChannels(ofUser userID: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT channel FROM durable_memberships WHERE user_id = ? ORDER BY channel",
                arguments: [userID])
        }
    }
}
