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
    /// Prometheus metrics; nil when turned off.
    public var metricsPath: String? = "/metrics"
    /// Liveness: 200 while the process serves.
    public var healthPath: String? = "/health"
    /// Readiness: 200 when the store answers and the server is not stopping.
    public var readyPath: String? = "/ready"
}
