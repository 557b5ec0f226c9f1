/// `websocket:` of the spec. Defaults are the documented ones.
public struct WebSocketSettings: Sendable {
    public var path: Located<String>
    public var timeoutInMs: Int = 5000
    public var isAllowedToConnect: Located<String>?
    public var auth: Located<AuthRequirement>?
    /// Browser origins allowed besides the request's own (normalized; `*` for any).
    public var allowedOrigins: [String] = []
    public var heartbeatInterval = SpecDuration(milliseconds: 20_000)
    public var heartbeatTimeout = SpecDuration(milliseconds: 10_000)
    public var recoveryEnabled = true
    public var recoveryWindow = SpecDuration(milliseconds: 120_000)
    public var maxReplay = 1000
    public var maxMessageBytes = 65_536
    public var messagesPerSecond = 50
    public var maxConnections = 10_000
    public var outboundQueueSize = 1024
    /// A connection's messages waiting for its handler (which runs one at a time).
    public var maxPendingMessages = 256
    /// The longest a store operation may take before it fails with `storage-timeout`.
    public var storeTimeout = SpecDuration(milliseconds: 5000)
    public var channels: [ChannelDefinition] = []
    public var onConnect: Located<String>?
    public var onDisconnect: Located<String>?
    public var routes: [WebSocketRoute] = []
    public var keyLocations: [String: SourceLocation] = [:]
}
