/// The spec's `websocket.recovery`.
struct RecoverySettings: Sendable {
    var enabled: Bool
    /// How long a disconnected session can be recovered.
    var window: Duration
    /// More messages owed than this: no recovery (`too_many`).
    var maxReplay: Int
}
