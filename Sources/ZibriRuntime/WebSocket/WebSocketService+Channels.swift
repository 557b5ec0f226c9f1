import ZibriStorage

/// Joining and leaving channels. A membership of a durable channel (`durable: true`) by a
/// connection with a user is the user's: every connection of the user, on every node and
/// every later one, is in the channel until the user leaves it.
extension WebSocketService {
    /// Adds a connection to a channel; the name must match one of the spec's channel patterns.
    /// A connection held by another node joins when that node hears of it (a moment later).
    public func join(_ connectionID: String, channel: String) async throws {
        guard let match = patterns.match(channel) else {
            throw WebSocketError(
                code: "unknown-channel", message: "'\(channel)' matches no channel pattern of the spec")
        }
        if let shared, try await remoteNode(of: connectionID) != nil {
            try await shared.announce(.join(origin: nodeID, connectionID: connectionID, channel: channel))
            return
        }
        if durablePatterns.contains(match.pattern), let user = try await userID(of: connectionID) {
            try await join(user: user, channel: channel)
            return
        }
        let after = live.join(connectionID, channel: channel)
        do {
            let afterSeq = if let after { after } else { try await store.lastSeq() }
            try await store.join(connectionID: connectionID, channel: channel, afterSeq: afterSeq)
        } catch {
            if after != nil { _ = live.leave(connectionID, channel: channel) }
            throw error
        }
    }

    public func leave(_ connectionID: String, channel: String) async throws {
        if let shared, try await remoteNode(of: connectionID) != nil {
            try await shared.announce(.leave(origin: nodeID, connectionID: connectionID, channel: channel))
            return
        }
        if let match = patterns.match(channel), durablePatterns.contains(match.pattern),
            let user = try await userID(of: connectionID)
        {
            try await leave(user: user, channel: channel)
            return
        }
        try await store.leave(
            connectionID: connectionID, channel: channel, afterSeq: live.leave(connectionID, channel: channel))
    }

    /// Ends every durable membership of a user, on every connection of the user (with
    /// `revokeSessions(ofUser:)`, what a deleted account needs). Returns the channels left.
    @discardableResult
    public func forgetMemberships(ofUser userID: String) async throws -> [String] {
        let channels = try await store.durableChannels(ofUser: userID)
        for channel in channels { try await leave(user: userID, channel: channel) }
        return channels
    }

    /// The user's durable channels, sorted.
    public func durableChannels(ofUser userID: String) async throws -> [String] {
        try await store.durableChannels(ofUser: userID)
    }

    /// The channels of a connection, sorted.
    public func channels(of connectionID: String) async throws -> [String] {
        try await store.channels(ofConnection: connectionID)
    }

    /// The connection ids in a channel, sorted.
    public func connections(in channel: String) async throws -> [String] {
        try await store.members(ofChannel: channel)
    }

    private func userID(of connectionID: String) async throws -> String? {
        if let outbox = live.outbox(connectionID) { return outbox.connection.userID }
        return try await store.connection(id: connectionID)?.userID
    }

    /// The user's membership of `channel`, for good. The user's connections here join at one
    /// place in the sequence; the store then records it for every session of the user, and the
    /// other nodes join their connections of the user when they hear of it. A connection that
    /// registered meanwhile (it read the user's channels before the store had this one) is
    /// joined by the second pass.
    func join(user: String, channel: String) async throws {
        let (after, _) = live.join(user: user, channel: channel)
        try await store.joinDurably(userID: user, channel: channel, afterSeq: after)
        joinLive(user: user, channel: channel)
        try await shared?.announce(.joinUser(origin: nodeID, userID: user, channel: channel))
    }

    /// Joins the user's connections here that are not in the channel yet (the store's record of
    /// the user's membership already counts them).
    func joinLive(user: String, channel: String) {
        _ = live.join(user: user, channel: channel)
    }

    /// Ends the user's membership of `channel` on every connection and session of the user.
    func leave(user: String, channel: String) async throws {
        let after = live.leave(user: user, channel: channel)
        try await store.leaveDurably(userID: user, channel: channel, afterSeq: after)
        try await shared?.announce(.leaveUser(origin: nodeID, userID: user, channel: channel))
    }
}
