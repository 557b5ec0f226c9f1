public import Configuration
import Foundation
import HummingbirdWebSocket
public import Logging
public import ServiceLifecycle
public import ZibriSchema
public import ZibriStorage
public import ZibriValidation

/// A Zibri server: a spec, the closures registered for its handler names, and the runtime
/// that serves them.
///
/// ```swift
/// let app = try ZibriApplication(spec: "api.zibri.yaml")
/// app.http.handle("getUser") { (input: HTTPInput<NoBody>, context) -> User in ... }
/// try await app.run()
/// ```
///
/// Registration happens before `run()`; `run()` checks that every handler the spec names is
/// registered, freezes the route table and serves it.
public final class ZibriApplication {
    /// The checked, compiled spec.
    public let compiled: CompiledSpec
    /// Registers HTTP handlers by name.
    public let http = HTTPHandlers()
    /// Registers WebSocket route handlers by name.
    public let websocket = WebSocketHandlers()
    /// Registers the connection and channel policies by name.
    public let policies = Policies()
    /// Sends to WebSocket connections and channels, from any handler.
    public let websocketService: WebSocketService
    /// The server's metrics, served at `server.metricsPath`.
    package let metrics: ZibriMetrics
    public var logger: Logger
    /// Address to bind: the spec's `server.host`, overridden by `ZIBRI_HOST` or a `--host` option.
    public var host: String
    /// Port to bind (0 picks a free one): `server.port`, overridden by `ZIBRI_PORT` or `--port`.
    public var port: Int
    /// Where state is kept: `storage`, overridden by `ZIBRI_STORAGE_URL`.
    public let storage: StorageSetting
    /// This server's name among the nodes that share a PostgreSQL store: `ZIBRI_NODE_ID`, else
    /// the host name and, on PostgreSQL, the process id (so that nodes on one host differ).
    public let nodeID: String
    /// Validate handlers' responses against `response` (default: the spec's
    /// `server.validateResponses`, else on in debug builds).
    public var validateResponses: Bool

    /// How long a closing WebSocket connection has to get its close frame out, and the client to
    /// answer it, before its socket is dropped (a client that reads nothing can take no close
    /// frame). Default: 1 second.
    public var closeTimeout: Duration = .seconds(1)

    /// How often this node beats, and how long the others wait before they take a silent node
    /// for dead (PostgreSQL only).
    package var clusterTiming = ClusterTiming()

    /// Folders of static files served next to the spec's routes (a web front end, say).
    private(set) var fileFolders: [(folder: String, urlPath: String?)] = []

    /// Serves the files under `folder` (`index.html` for a folder's path), at `urlPath` (the root
    /// by default), for requests that no spec route answers.
    public func serveFiles(from folder: String, at urlPath: String? = nil) {
        fileFolders.append((folder, urlPath))
    }

    /// What generated code said it was made from: the spec's file name and fingerprint.
    private var generatedCodeExpectations: [(file: String, fingerprint: String)] = []

    /// Called by code that `zibri generate swift` (or the ZibriGenerator plugin) wrote: the
    /// server refuses to start if the spec it serves does not have the types that code was
    /// made from, rather than fail request after request with decoding errors.
    public func expectSpec(fingerprint: String, generatedFrom file: String) {
        if !generatedCodeExpectations.contains(where: { $0 == (file, fingerprint) }) {
            generatedCodeExpectations.append((file, fingerprint))
        }
    }

    /// Throws if generated code was made from another version of the spec.
    func checkGeneratedCode() throws {
        guard !generatedCodeExpectations.isEmpty else { return }
        let actual = SpecFingerprint.of(compiled.resolved)
        for expected in generatedCodeExpectations where expected.fingerprint != actual {
            let served = (compiled.spec.file as NSString).lastPathComponent
            throw ZibriError(
                code: "stale-generated-code",
                message: """
                    the generated Swift types were made from another version of \(expected.file) (fingerprint \
                    \(expected.fingerprint)) than the spec this server loads, \(served) (fingerprint \(actual)): \
                    generate them again (build again with the ZibriGenerator plugin, or run \
                    `zibri generate swift \(compiled.spec.file)`)
                    """)
        }
    }

    /// Called once the server listens, with the port it bound (useful with port 0).
    public var onListening: (@Sendable (Int) async -> Void)?

    /// Where the settings come from: `zibri.port` and the other `StartupSettings.Key`s, and
    /// the JWT secret.
    let configuration: ConfigReader

    /// Loads, lints and compiles the spec at `path`; `stores` are the stores its `storage` may
    /// name (`import Zibri` has an initializer with those that come with Zibri). Settings come
    /// from `configuration`, by default the environment (`ZIBRI_PORT`, `ZIBRI_HOST`,
    /// `ZIBRI_STORAGE_URL`, `ZIBRI_NODE_ID`, `ZIBRI_LOG_LEVEL`, and the spec's
    /// `auth.jwt.secretEnv`); a server can put command-line arguments or a file above it.
    /// Throws `SpecError` with every diagnostic when the spec has errors, and `ZibriError` for
    /// an unusable setting or a store that cannot be opened.
    public convenience init(
        spec path: String, stores: StoreRegistry,
        configuration: ConfigReader = ConfigReader(provider: EnvironmentVariablesProvider()),
        logger: Logger = Logger(label: "zibri")
    ) throws {
        let checked: SpecCheckResult
        do {
            checked = try SpecChecker.check(contentsOf: path)
        } catch {
            throw ZibriError(code: "unreadable-spec", message: "cannot read the spec '\(path)': \(error)")
        }
        try self.init(checked: checked, stores: stores, configuration: configuration, logger: logger)
    }

    /// A spec given as text, e.g. in tests.
    public convenience init(
        yaml: String, file: String = "spec.zibri.yaml", stores: StoreRegistry,
        configuration: ConfigReader = ConfigReader(provider: EnvironmentVariablesProvider()),
        logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(
            checked: SpecChecker.check(yaml: yaml, file: file), stores: stores, configuration: configuration,
            logger: logger)
    }

    /// The spec at `path`, with the settings read from `environment` alone (in tests, say).
    public convenience init(
        spec path: String, stores: StoreRegistry, environment: [String: String],
        logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(spec: path, stores: stores, configuration: Self.reading(environment), logger: logger)
    }

    /// A spec given as text, with the settings read from `environment` alone.
    public convenience init(
        yaml: String, file: String = "spec.zibri.yaml", stores: StoreRegistry, environment: [String: String],
        logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(yaml: yaml, file: file, stores: stores, configuration: Self.reading(environment), logger: logger)
    }

    static func reading(_ environment: [String: String]) -> ConfigReader {
        ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
    }

    private init(
        checked: SpecCheckResult, stores: StoreRegistry, configuration: ConfigReader, logger: Logger
    ) throws {
        guard let compiled = checked.compiled, !checked.diagnostics.hasErrors else {
            throw SpecError(diagnostics: checked.diagnostics.filter { $0.severity == .error })
        }
        for warning in checked.diagnostics {
            logger.warning("\(warning)")
        }
        self.compiled = compiled
        let spec = compiled.spec
        let settings = try StartupSettings(spec: spec, configuration: configuration)
        var logger = logger
        if let level = settings.logLevel { logger.logLevel = level }
        self.logger = logger
        self.configuration = configuration
        host = settings.host
        port = settings.port
        storage = settings.storage
        validateResponses = settings.validateResponses
        // Without a `websocket` section nothing is stored: no file is opened.
        let opened: OpenedStore
        do {
            opened = try stores.open(spec.websocket == nil ? .memory : settings.storage, logger: logger)
        } catch let error as StoreError {
            throw ZibriError(code: error.code, message: error.message)
        }
        let hostName = ProcessInfo.processInfo.hostName
        // Nodes on one host share a store's tables, so there the process id tells them apart.
        nodeID =
            settings.nodeID
            ?? (opened.shared != nil ? "\(hostName):\(ProcessInfo.processInfo.processIdentifier)" : hostName)
        let metrics = ZibriMetrics()
        self.metrics = metrics
        websocketService = WebSocketService(
            store: opened, nodeID: nodeID, channelPatterns: spec.websocket?.channels.map(\.pattern) ?? [],
            durablePatterns: Set(spec.websocket?.channels.filter(\.isDurable).map(\.pattern) ?? []),
            requestTimeoutMs: spec.websocket?.timeoutInMs ?? 5000,
            storeTimeout: .milliseconds(spec.websocket?.storeTimeout.milliseconds ?? 5000),
            turns: SessionTurns(
                keepParked: spec.websocket.map {
                    $0.recoveryEnabled ? .milliseconds($0.recoveryWindow.milliseconds) : .zero
                }
                    ?? .zero,
                maxParked: (spec.websocket?.maxPendingMessages ?? 0) + 1),
            metrics: metrics, logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then closes WebSocket connections with 1012 (service
    /// restart), finishes the requests in flight and returns.
    public func run() async throws {
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: try await service())], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        try await ServiceGroup(configuration: configuration).run()
    }

    /// The server as a `Service`, to run inside your own `ServiceGroup`. On graceful shutdown it
    /// first closes its WebSocket connections with 1012 (service restart), so that clients
    /// reconnect at once (to another node) and recover; then the HTTP server stops.
    ///
    /// Whatever clients do, it stops within `server.shutdownTimeout` of being asked: then
    /// what is still running is cancelled.
    public func service() async throws -> any Service {
        let application = try await makeApplication()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application)]
        if compiled.spec.websocket != nil {
            // The last service is the first to be asked to stop.
            services.append(.init(service: RestartNoticeService(live: websocketService.live, grace: .seconds(2))))
        }
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: configuration)
    }

    private var shutdownTimeout: Duration { .milliseconds(compiled.spec.server.shutdownTimeout.milliseconds) }
}
