import ZibriSchema

/// What one node allows a WebSocket connection: the spec's `websocket.limits` with their
/// documented defaults, and how long a close may take to get out.
struct WebSocketLimits: Sendable {
    /// A larger message is answered 413 and closes the connection with 1009.
    var maxMessageBytes: Int
    /// The token bucket's rate: a message over it is answered 429, a flood closes with 1008.
    var messagesPerSecond: Int
    /// Connections a node accepts; one more is refused with 4503.
    var maxConnections: Int
    /// Frames queued for a client that does not read; one more closes it with 1008.
    var outboundQueueSize: Int
    /// Messages of one connection waiting for its handler worker; more are answered 429.
    var maxPendingMessages: Int
    /// How long a close may take to be written before the socket is dropped.
    var closeTimeout: Duration

    init(_ settings: WebSocketSettings, closeTimeout: Duration) {
        maxMessageBytes = settings.maxMessageBytes
        messagesPerSecond = settings.messagesPerSecond
        maxConnections = settings.maxConnections
        outboundQueueSize = settings.outboundQueueSize
        maxPendingMessages = settings.maxPendingMessages
        self.closeTimeout = closeTimeout
    }
}
