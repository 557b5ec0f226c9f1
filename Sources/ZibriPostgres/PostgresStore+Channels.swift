import Logging
import PostgresNIO
public import ZibriStorage

/// Channels: the sessions' memberships, as intervals of the log, and the users' durable ones.
extension PostgresStore {
    public func join(connectionID: String, channel: String, afterSeq: Int) async throws {
        let inserted = try await strings(
            """
            WITH session AS (SELECT connection_id FROM zibri_sessions WHERE connection_id = \(connectionID)),
            added AS (
                INSERT INTO zibri_memberships (connection_id, channel, joined_after)
                SELECT connection_id, \(channel), \(afterSeq) FROM session
                WHERE NOT EXISTS (
                    SELECT 1 FROM zibri_memberships
                    WHERE connection_id = \(connectionID) AND channel = \(channel) AND left_after IS NULL)
                ON CONFLICT DO NOTHING
                RETURNING connection_id)
            SELECT connection_id FROM session
            """)
        if inserted.isEmpty { throw StoreError.unknownConnection(connectionID) }
    }

    public func leave(connectionID: String, channel: String, afterSeq: Int) async throws {
        try await query(
            """
            UPDATE zibri_memberships SET left_after = \(afterSeq)
            WHERE connection_id = \(connectionID) AND channel = \(channel) AND left_after IS NULL
            """, logger: logger)
    }

    public func channels(ofConnection id: String) async throws -> [String] {
        try await strings(
            """
            SELECT channel FROM zibri_memberships WHERE connection_id = \(id) AND left_after IS NULL
            ORDER BY channel COLLATE "C"
            """)
    }

    public func members(ofChannel channel: String) async throws -> [String] {
        try await strings(
            """
            SELECT m.connection_id FROM zibri_memberships m JOIN zibri_sessions s USING (connection_id)
            WHERE m.channel = \(channel) AND m.left_after IS NULL AND s.disconnected_at IS NULL
            ORDER BY m.connection_id COLLATE "C"
            """)
    }

    public func join(connectionID: String, channels: [String], afterSeq: Int) async throws {
        let found = try await strings(
            """
            WITH session AS (SELECT connection_id FROM zibri_sessions WHERE connection_id = \(connectionID)),
            added AS (
                INSERT INTO zibri_memberships (connection_id, channel, joined_after)
                SELECT s.connection_id, c.channel, \(afterSeq) FROM session s, unnest(\(channels)::text[]) AS c (channel)
                WHERE NOT EXISTS (
                    SELECT 1 FROM zibri_memberships
                    WHERE connection_id = s.connection_id AND channel = c.channel AND left_after IS NULL)
                ON CONFLICT DO NOTHING
                RETURNING connection_id)
            SELECT connection_id FROM session
            """)
        if found.isEmpty { throw StoreError.unknownConnection(connectionID) }
    }

    // MARK: Durable memberships

    public func joinDurably(userID: String, channel: String, afterSeq: Int, nodeID: String) async throws {
        try await query(
            """
            WITH recorded AS (
                INSERT INTO zibri_durable_memberships (user_id, channel) VALUES (\(userID), \(channel))
                ON CONFLICT DO NOTHING)
            INSERT INTO zibri_memberships (connection_id, channel, joined_after)
            SELECT s.connection_id, \(channel), \(afterSeq) FROM zibri_sessions s
            WHERE s.user_id = \(userID) AND (s.disconnected_at IS NOT NULL OR s.node_id = \(nodeID))
              AND NOT EXISTS (
                SELECT 1 FROM zibri_memberships m
                WHERE m.connection_id = s.connection_id AND m.channel = \(channel) AND m.left_after IS NULL)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func leaveDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await query(
            """
            WITH forgotten AS (
                DELETE FROM zibri_durable_memberships WHERE user_id = \(userID) AND channel = \(channel))
            UPDATE zibri_memberships SET left_after = \(afterSeq)
            WHERE channel = \(channel) AND left_after IS NULL
              AND connection_id IN (SELECT connection_id FROM zibri_sessions WHERE user_id = \(userID))
            """, logger: logger)
    }

    public func durableChannels(ofUser userID: String) async throws -> [String] {
        try await strings(
            """
            SELECT channel FROM zibri_durable_memberships WHERE user_id = \(userID) ORDER BY channel COLLATE "C"
            """)
    }
}
