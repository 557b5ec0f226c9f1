public struct ServerSettings: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var maxBodyBytes: Int = 1024 * 1024
    /// Nil means the runtime's default (on in debug builds).
    public var validateResponses: Bool?
    public var openAPIPath: String? = "/openapi.json"
    /// The largest request head's header fields, in bytes (each field, and all together).
    public var maxHeaderBytes = 80 * 1024
    /// The most header fields a request may have.
    public var maxHeaders = 1000
    /// From a connection's opening, or the end of its last response, until its next request
    /// head is complete: a connection that is slower (or idle that long) is closed.
    public var requestHeadTimeout = SpecDuration(milliseconds: 10_000)
    /// From a request's head until the end of its body.
    public var requestBodyTimeout = SpecDuration(milliseconds: 30_000)
    /// The most connections open at once that are not WebSocket connections (those count
    /// against `websocket.maxConnections` once upgraded); nil: half the process's descriptor limit.
    public var maxHTTPConnections: Int?
    /// How long a stopping server waits for requests and connections to finish before it stops anyway.
    public var shutdownTimeout = SpecDuration(milliseconds: 10_000)
    /// Prometheus metrics; nil when turned off.
    public var metricsPath: String? = "/metrics"
    /// Liveness: 200 while the process serves.
    public var healthPath: String? = "/health"
    /// Readiness: 200 when the store answers and the server is not stopping.
    public var readyPath: String? = "/ready"
}
