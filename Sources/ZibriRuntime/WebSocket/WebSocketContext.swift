import Foundation
public import Logging
import ZibriSchema
import ZibriValidation

/// What a WebSocket handler can use besides the message body.
public struct WebSocketContext: Sendable {
    public let connection: WebSocketConnection
    /// The connection's handshake: its headers, query and user.
    public let handshake: Handshake
    /// Sends to connections, users, channels or everyone; joins and leaves channels.
    public let websocket: WebSocketService
    /// A logger whose lines carry the connection's id (`zibri.connection.id`), as every line
    /// the server writes about the connection does.
    public let logger: Logger

    /// The channels the connection is in, sorted.
    public func channels() async throws -> [String] {
        try await websocket.channels(of: connection.id)
    }
}
