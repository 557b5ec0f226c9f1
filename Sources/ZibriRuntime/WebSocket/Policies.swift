import Foundation
import ZibriSchema

/// The policies the spec names (`connection.isAllowedToConnect`, a channel's `join`), registered
/// by name before `run()`. A policy the spec names but nobody registered stops the start.
public final class Policies {
    typealias ConnectPolicy = @Sendable (Handshake) async throws -> Bool
    typealias JoinPolicy = @Sendable (WebSocketConnection, String, [String: String]) async throws -> Bool

    private(set) var connect: [String: ConnectPolicy] = [:]
    private(set) var join: [String: JoinPolicy] = [:]

    init() {}

    /// Decides whether a connection is accepted; a refusal closes it with 4403.
    public func isAllowedToConnect(_ name: String, _ policy: @escaping @Sendable (Handshake) async throws -> Bool) {
        connect[name] = policy
    }

    /// Decides whether a connection may join a channel: it gets the connection, the channel's
    /// name and the pattern's parameters (`roomId` of `room:{roomId}`).
    public func join(
        _ name: String,
        _ policy:
            @escaping @Sendable (_ connection: WebSocketConnection, _ channel: String, _ parameters: [String: String])
            async throws -> Bool
    ) {
        join[name] = policy
    }
}
