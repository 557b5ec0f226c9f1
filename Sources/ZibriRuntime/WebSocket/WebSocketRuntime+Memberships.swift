import ZibriStorage

/// A connection's durable channels: those of its user, re-checked where the spec asks it
/// (`rejoin: check`) and joined before the greeting, so that the first frame after it may
/// already be a message of one of them.
extension WebSocketRuntime {
    /// Asks the join policy of each of the user's durable channels with `rejoin: check` again;
    /// the user leaves those it refuses now (on every connection). Returns them, sorted. A policy
    /// that fails keeps the membership: an error is not a refusal.
    func recheckDurableChannels(of connection: WebSocketConnection) async throws -> [String] {
        guard let user = connection.userID, !rejoinCheckPatterns.isEmpty else { return [] }
        var dropped: [String] = []
        for channel in try await service.store.durableChannels(ofUser: user) {
            guard let match = service.patterns.match(channel), rejoinCheckPatterns.contains(match.pattern),
                let policy = joinPolicies[match.pattern]
            else { continue }
            do {
                guard try await !policy(connection, channel, match.parameters) else { continue }
            } catch {
                logger.warning("the join policy failed re-checking \(channel) for user \(user); kept: \(error)")
                continue
            }
            try await service.leave(user: user, channel: channel)
            dropped.append(channel)
        }
        return dropped
    }

    /// Joins a registered connection here to the user's durable channels it is not in
    /// (`channels`); returns every channel it is in, sorted. One read, no write: the store counts
    /// every session of the user in the user's channels. Read after the registration: a durable
    /// join by another connection of the user either is in the store by then, or joins this one
    /// itself (`WebSocketService.joinLive`).
    func joinDurableChannels(_ outbox: Outbox, besides channels: [String]) async throws -> [String] {
        guard let user = outbox.connection.userID, !service.durablePatterns.isEmpty else { return channels }
        let current = Set(channels)
        let missing = try await service.store.durableChannels(ofUser: user).filter { !current.contains($0) }
        guard !missing.isEmpty else { return channels }
        _ = service.live.join(outbox.connection.id, channels: missing)
        return current.union(missing).sorted()
    }
}
