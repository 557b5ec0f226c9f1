/// Why a connection ended, as `lifecycle.onDisconnect` handlers see it.
public struct DisconnectReason: Sendable, Hashable, CustomStringConvertible {
    /// A stable code: `client-closed`, `server-closed`, `session-resumed` (another connection
    /// took the session over: the user is still there), `session-revoked`, `message-too-large`,
    /// `rate-limited`, `binary-frame`, `outbound-queue-full` or `error`.
    public let code: String
    /// The WebSocket close code the server sent, if it was the server that closed.
    public let closeCode: Int?

    public var description: String { closeCode.map { "\(code) (\($0))" } ?? code }

    static let clientClosed = DisconnectReason(code: "client-closed", closeCode: nil)
    static let error = DisconnectReason(code: "error", closeCode: nil)
    static let resumedCode = "session-resumed"
}
