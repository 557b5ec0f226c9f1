import Logging
import PostgresNIO
public import ZibriStorage

/// Channels: the sessions' memberships and the users' durable ones, as intervals of the log.
extension PostgresStore {
    public func join(connectionID: String, channel: String, afterSeq: Int) async throws {
        // One statement: the parts see one snapshot, so the insert asks the reopening's result.
        let found = try await strings(
            """
            WITH session AS (SELECT connection_id FROM zibri_sessions WHERE connection_id = \(connectionID)),
            open AS (
                SELECT 1 FROM zibri_memberships
                WHERE connection_id = \(connectionID) AND channel = \(channel) AND left_after IS NULL),
            reopened AS (
                UPDATE zibri_memberships SET left_after = NULL
                WHERE connection_id = \(connectionID) AND channel = \(channel) AND left_after >= \(afterSeq)
                  AND NOT EXISTS (SELECT 1 FROM open)
                  AND joined_after = (
                    SELECT max(joined_after) FROM zibri_memberships
                    WHERE connection_id = \(connectionID) AND channel = \(channel))
                RETURNING 1),
            added AS (
                INSERT INTO zibri_memberships (connection_id, channel, joined_after)
                SELECT connection_id, \(channel), \(afterSeq) FROM session
                WHERE NOT EXISTS (SELECT 1 FROM open) AND NOT EXISTS (SELECT 1 FROM reopened)
                ON CONFLICT DO NOTHING
                RETURNING connection_id)
            SELECT connection_id FROM session
            """)
        if found.isEmpty { throw StoreError.unknownConnection(connectionID) }
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
            SELECT channel FROM (
                SELECT channel FROM zibri_memberships WHERE connection_id = \(id) AND left_after IS NULL
                UNION
                SELECT um.channel FROM zibri_user_memberships um JOIN zibri_sessions s USING (user_id)
                WHERE s.connection_id = \(id) AND um.left_after IS NULL) AS c
            ORDER BY channel COLLATE "C"
            """)
    }

    public func members(ofChannel channel: String) async throws -> [String] {
        try await strings(
            """
            SELECT connection_id FROM (
                SELECT m.connection_id FROM zibri_memberships m JOIN zibri_sessions s USING (connection_id)
                WHERE m.channel = \(channel) AND m.left_after IS NULL AND s.disconnected_at IS NULL
                UNION
                SELECT s.connection_id FROM zibri_user_memberships um JOIN zibri_sessions s USING (user_id)
                WHERE um.channel = \(channel) AND um.left_after IS NULL AND s.disconnected_at IS NULL) AS c
            ORDER BY connection_id COLLATE "C"
            """)
    }

    // MARK: Durable memberships

    public func joinDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await query(
            """
            WITH open AS (
                SELECT 1 FROM zibri_user_memberships
                WHERE user_id = \(userID) AND channel = \(channel) AND left_after IS NULL),
            reopened AS (
                UPDATE zibri_user_memberships SET left_after = NULL
                WHERE user_id = \(userID) AND channel = \(channel) AND left_after >= \(afterSeq)
                  AND NOT EXISTS (SELECT 1 FROM open)
                  AND joined_after = (
                    SELECT max(joined_after) FROM zibri_user_memberships
                    WHERE user_id = \(userID) AND channel = \(channel))
                RETURNING 1)
            INSERT INTO zibri_user_memberships (user_id, channel, joined_after)
            SELECT \(userID), \(channel), \(afterSeq)
            WHERE NOT EXISTS (SELECT 1 FROM open) AND NOT EXISTS (SELECT 1 FROM reopened)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func leaveDurably(userID: String, channel: String, afterSeq: Int) async throws {
        try await query(
            """
            WITH ended AS (
                UPDATE zibri_user_memberships SET left_after = \(afterSeq)
                WHERE user_id = \(userID) AND channel = \(channel) AND left_after IS NULL)
            UPDATE zibri_memberships SET left_after = \(afterSeq)
            WHERE channel = \(channel) AND left_after IS NULL
              AND connection_id IN (SELECT connection_id FROM zibri_sessions WHERE user_id = \(userID))
            """, logger: logger)
    }

    public func durableChannels(ofUser userID: String) async throws -> [String] {
        try await strings(
            """
            SELECT channel FROM zibri_user_memberships WHERE user_id = \(userID) AND left_after IS NULL
            ORDER BY channel COLLATE "C"
            """)
    }
}
