public import Foundation
package import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
public import Logging
import NIOCore
public import ServiceLifecycle
public import ZibriSchema
public import ZibriStorage
public import ZibriValidation

/// A failure to start, with a stable code; `message` lists every problem found.
public struct ZibriError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

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
    private var fileFolders: [(folder: String, urlPath: String?)] = []

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
        let actual = SwiftGenerator.fingerprint(of: compiled.spec)
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

    private let environment: [String: String]

    /// Loads, lints and compiles the spec at `path`; `stores` are the stores its `storage` may
    /// name (`import Zibri` has an initializer with those that come with Zibri). Throws
    /// `SpecError` with every diagnostic when the spec has errors, and `ZibriError` for an
    /// unusable environment variable or a store that cannot be opened.
    public convenience init(
        spec path: String, stores: StoreRegistry,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "zibri")
    ) throws {
        let checked: SpecCheckResult
        do {
            checked = try SpecChecker.check(contentsOf: path)
        } catch {
            throw ZibriError(code: "unreadable-spec", message: "cannot read the spec '\(path)': \(error)")
        }
        try self.init(checked: checked, stores: stores, environment: environment, logger: logger)
    }

    /// A spec given as text, e.g. in tests.
    public convenience init(
        yaml: String, file: String = "spec.zibri.yaml", stores: StoreRegistry,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(
            checked: SpecChecker.check(yaml: yaml, file: file), stores: stores, environment: environment,
            logger: logger)
    }

    private init(
        checked: SpecCheckResult, stores: StoreRegistry, environment: [String: String], logger: Logger
    ) throws {
        guard let compiled = checked.compiled, !checked.diagnostics.hasErrors else {
            throw SpecError(diagnostics: checked.diagnostics.filter { $0.severity == .error })
        }
        for warning in checked.diagnostics {
            logger.warning("\(warning)")
        }
        self.compiled = compiled
        var logger = logger
        if let text = environment["ZIBRI_LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ZibriError(
                    code: "invalid-environment",
                    message:
                        "ZIBRI_LOG_LEVEL must be trace, debug, info, notice, warning, error or critical, is '\(text)'")
            }
            logger.logLevel = level
        }
        self.logger = logger
        self.environment = environment
        let spec = compiled.spec
        host = environment["ZIBRI_HOST"] ?? spec.server.host
        port = spec.server.port
        var storage = spec.effectiveStorage
        #if DEBUG
        validateResponses = spec.server.validateResponses ?? true
        #else
        validateResponses = spec.server.validateResponses ?? false
        #endif
        if let text = environment["ZIBRI_PORT"] {
            guard let value = Int(text), (0...65_535).contains(value) else {
                throw ZibriError(
                    code: "invalid-environment", message: "ZIBRI_PORT must be a port number 0-65535, is '\(text)'")
            }
            port = value
        }
        if let text = environment["ZIBRI_STORAGE_URL"] {
            guard let value = StorageSetting(parsing: text) else {
                throw ZibriError(
                    code: "invalid-environment",
                    message: "ZIBRI_STORAGE_URL must be memory, sqlite:PATH, postgres://... or SCHEME:..., is '\(text)'"
                )
            }
            storage = value
        }
        self.storage = storage
        if let text = environment["ZIBRI_NODE_ID"], text.isEmpty || text.utf8.count > 200 {
            throw ZibriError(
                code: "invalid-environment", message: "ZIBRI_NODE_ID must be 1 to 200 bytes, is '\(text)'")
        }
        // Without a `websocket` section nothing is stored: no file is opened.
        let opened: OpenedStore
        do {
            opened = try stores.open(spec.websocket == nil ? .memory : storage, logger: logger)
        } catch let error as StoreError {
            throw ZibriError(code: error.code, message: error.message)
        }
        let hostName = ProcessInfo.processInfo.hostName
        // Nodes on one host share a store's tables, so there the process id tells them apart.
        nodeID =
            environment["ZIBRI_NODE_ID"]
            ?? (opened.shared != nil ? "\(hostName):\(ProcessInfo.processInfo.processIdentifier)" : hostName)
        let metrics = ZibriMetrics()
        self.metrics = metrics
        websocketService = WebSocketService(
            store: opened, nodeID: nodeID, channelPatterns: spec.websocket?.channels.map(\.pattern) ?? [],
            requestTimeoutMs: spec.websocket?.timeoutInMs ?? 5000, metrics: metrics, logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then closes WebSocket connections with 1012 (service
    /// restart), finishes the requests in flight and returns.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: try await service())], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// The server as a `Service`, to run inside your own `ServiceGroup`. On graceful shutdown it
    /// first closes its WebSocket connections with 1012 (service restart), so that clients
    /// reconnect at once (to another node) and recover; then the HTTP server stops.
    public func service() async throws -> any Service {
        let application = try await makeApplication()
        guard compiled.spec.websocket != nil else { return application }
        // The last service is the first to be asked to stop.
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: application),
                    .init(service: RestartNoticeService(live: websocketService.live, grace: .seconds(2))),
                ],
                logger: logger))
    }

    /// Checks the registrations and builds the Hummingbird application with the frozen route table.
    package func makeApplication() async throws -> some ApplicationProtocol {
        try checkGeneratedCode()
        let routes = try compileRoutes()
        let runtime = try await makeRuntime()
        let router = Router(options: [.autoGenerateHeadEndpoints])
        router.add(middleware: ProblemMiddleware(metrics: metrics))
        // Inside the problem middleware: a file answers what would otherwise be a 404.
        for (folder, urlPath) in fileFolders {
            router.add(
                middleware: FileMiddleware(folder, urlBasePath: urlPath, searchForIndexHtml: true, logger: logger))
        }
        var methodsByPath: [String: [HTTPRequest.Method]] = [:]
        var pathOrder: [String] = []
        for route in routes {
            router.on(
                RouterPath(route.path), method: route.method, responder: RouteResponder(route: route, runtime: runtime))
            if methodsByPath[route.path] == nil { pathOrder.append(route.path) }
            methodsByPath[route.path, default: []].append(route.method)
        }
        if let path = compiled.spec.server.openAPIPath {
            let document = ByteBuffer(string: OpenAPIExporter.document(for: compiled.spec).jsonText)
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: document))
            }
            if methodsByPath[path] == nil { pathOrder.append(path) }
            methodsByPath[path, default: []].append(.get)
        }
        for (path, responder) in ObservabilityEndpoints(application: self).responders()
        where methodsByPath[path]?.contains(.get) != true {
            router.get(RouterPath(path), use: responder)
            if methodsByPath[path] == nil { pathOrder.append(path) }
            methodsByPath[path, default: []].append(.get)
        }
        // The WebSocket path reached as plain HTTP: a client that did not ask to upgrade, or one
        // that asked on a kept-alive connection (the upgrade is only possible on a connection's
        // first request, so Node's fetch pool makes this happen): 426, and the connection closes,
        // so that the client's next attempt gets a connection of its own.
        if let path = compiled.spec.websocket?.path.value, methodsByPath[path]?.contains(.get) != true {
            let problem = ProblemDocument.upgradeRequired(
                "connect with a WebSocket upgrade, as the first request of a connection")
            router.get(RouterPath(path)) { _, _ in
                problem.response(headers: [.upgrade: "websocket", .connection: "close"])
            }
        }
        // A path that exists for other methods answers 405 with Allow, through the same router.
        let candidates: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options]
        for path in pathOrder {
            var allowed = methodsByPath[path]!
            if allowed.contains(.get) { allowed.append(.head) }
            for method in candidates where !allowed.contains(method) {
                router.on(RouterPath(path), method: method, responder: MethodNotAllowedResponder(allowed: allowed))
            }
        }
        let logger = self.logger
        let host = self.host
        let onListening = self.onListening
        let sockets = try makeWebSocketRuntime(authorizer: runtime.authorizer)
        var webSocketConfiguration = WebSocketServerConfiguration()
        if let settings = compiled.spec.websocket {
            // HummingbirdWebSocket pings every period and closes (1001) a connection whose pong
            // has not come back by the next ping: one period is both interval and timeout, so
            // the shorter of the two is used and no connection outlives its timeout.
            let period = min(settings.heartbeatInterval.milliseconds, settings.heartbeatTimeout.milliseconds)
            // A client that does not answer a close is let go after the same grace as ours
            // (HummingbirdWebSocket's default, 15 s, held up a stopping server that long).
            webSocketConfiguration = WebSocketServerConfiguration(
                maxFrameSize: settings.maxMessageBytes + 1,
                autoPing: .enabled(timePeriod: .milliseconds(period)),
                closeTimeout: closeTimeout,
                validateUTF8: true)
        }
        let server = compiled.spec.server
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: HTTP1Channel.Configuration(
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: server.maxHeaderBytes, maxHeaderListSize: server.maxHeaderBytes,
                    maxHeaderFieldCount: server.maxHeaders)),
            ws: webSocketConfiguration)
        var application = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                GuardedWebSocketUpgradeChannel(
                    base: HTTP1WebSocketUpgradeChannel(
                        responder: responder, configuration: channelConfiguration
                    ) { request, channel, _ in
                        guard let sockets else { return .dontUpgrade }
                        let (path, query) = Self.splitTarget(request.path ?? "")
                        guard path == sockets.path else { return .dontUpgrade }
                        let admission = await sockets.admit(
                            headers: request.headerFields, query: query,
                            host: request.authority)
                        return .upgrade([:]) { inbound, outbound, _ in
                            try await sockets.serve(
                                inbound: inbound, outbound: outbound, channel: channel, admission: admission)
                        }
                    }, timeout: Self.firstRequestTimeout)
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Zibri"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("Zibri serving \(routes.count) routes on http://\(host):\(port)")
                await onListening?(port)
            },
            logger: logger
        )
        if let sockets {
            let store = websocketService.store
            let runnable = websocketService.opened.runnable
            let live = websocketService.live
            // Listed first, so that it is the last to stop (services stop in reverse order).
            if let runnable { application.addServices(StoreService(store: runnable)) }
            application.addServices(
                websocketService.dispatcher,
                RetentionService(store: store, window: sockets.recovery.window, logger: logger))
            if let shared = websocketService.shared {
                application.addServices(
                    ClusterService(store: shared, websocket: websocketService, timing: clusterTiming, logger: logger))
            }
            // Once the store runs, before the first connection.
            application.beforeServerStarts {
                try await runnable?.prepare()
                // Sessions this node left connected when it last stopped (or crashed) have no socket.
                try await store.closeSessions(ofNode: sockets.nodeID, at: Date())
                live.start(at: try await store.lastSeq())
            }
        }
        return application
    }

    /// The route table: every route with its handler, validators and policy. Fails listing
    /// every handler the spec names but nobody registered.
    func compileRoutes() throws -> [CompiledRoute] {
        let spec = compiled.spec
        var missing: [String] = []
        var routes: [CompiledRoute] = []
        let registered = http.registrations
        for route in spec.http.routes {
            guard let handler = route.handler else { continue }
            guard let registration = registered[handler.value] else {
                missing.append(Self.notRegistered("handler", handler, among: registered.keys))
                continue
            }
            let body = try route.body.map { try compiled.validator(for: $0) }
            let response = try route.response.map { try compiled.validator(for: $0) }
            let status = route.status?.value ?? (route.response == nil ? 204 : 200)
            routes.append(
                CompiledRoute(
                    method: HTTPRequest.Method(route.method)!,
                    path: (spec.http.basePath?.value ?? "") + route.path,
                    handlerName: handler.value, handler: registration.handler,
                    params: compiled.parameterValidator(for: route.effectiveParams, in: .params),
                    query: compiled.parameterValidator(for: route.query, in: .query),
                    headers: compiled.parameterValidator(for: route.headers, in: .headers),
                    body: body, response: response, status: HTTPResponse.Status(code: status),
                    auth: route.auth?.value ?? .none, roles: route.roles?.value ?? [],
                    metrics: metrics.route(
                        transport: "http", name: "\(route.method) \((spec.http.basePath?.value ?? "") + route.path)",
                        handler: handler.value)))
        }
        guard missing.isEmpty else {
            throw ZibriError(
                code: "missing-handlers",
                message: "the spec names handlers that are not registered:\n" + missing.joined(separator: "\n"))
        }
        let used = Set(spec.http.routes.compactMap(\.handler?.value))
        for (name, registration) in registered where !used.contains(name) {
            logger.warning(
                "handler '\(name)' is registered at \(registration.file):\(registration.line) but the spec never uses it"
            )
        }
        return routes
    }

    /// `spec.zibri.yaml:12:16: handler 'getUser' is not registered (did you mean 'getUsers'?)`
    static func notRegistered(
        _ kind: String, _ name: Located<String>, among registered: some Sequence<String>
    ) -> String {
        let hint = Suggestions.hint(for: name.value, in: registered).map { " (\($0))" } ?? ""
        return "\(name.location): \(kind) '\(name.value)' is not registered\(hint)"
    }

    /// `/ws?access_token=x` to `/ws` and its query.
    static func splitTarget(_ target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            if query[key] == nil { query[key] = value }
        }
        return (String(target[..<mark]), query)
    }

    /// How long a new connection may stay silent before its first request.
    static let firstRequestTimeout = TimeAmount.seconds(30)

    /// The WebSocket route table, or nil when the spec has no `websocket` section. Fails
    /// listing every WebSocket handler the spec names but nobody registered.
    func makeWebSocketRuntime(authorizer: Authorizer) throws -> WebSocketRuntime? {
        guard let settings = compiled.spec.websocket else { return nil }
        var missing: [String] = []
        var routes: [String: CompiledWebSocketRoute] = [:]
        let registered = websocket.registrations
        for route in settings.routes {
            guard let handler = route.handler else { continue }
            guard let closure = registered[handler.value] else {
                missing.append(Self.notRegistered("handler", handler, among: registered.keys))
                continue
            }
            routes[route.event] = CompiledWebSocketRoute(
                event: route.event, handlerName: handler.value, handler: closure,
                body: try route.body.map { try compiled.validator(for: $0) },
                response: try route.response.map { try compiled.validator(for: $0) },
                auth: route.auth?.value ?? .none, roles: route.roles?.value ?? [],
                metrics: metrics.route(transport: "websocket", name: route.event, handler: handler.value))
        }
        var joinPolicies: [String: Policies.JoinPolicy] = [:]
        for channel in settings.channels {
            guard let name = channel.join else { continue }
            if let policy = policies.join[name.value] {
                joinPolicies[channel.pattern] = policy
            } else {
                missing.append(Self.notRegistered("join policy", name, among: policies.join.keys))
            }
        }
        var onConnect: WebSocketHandlers.ConnectHandler?
        if let name = settings.onConnect {
            onConnect = websocket.connectHandlers[name.value]
            if onConnect == nil {
                missing.append(Self.notRegistered("onConnect handler", name, among: websocket.connectHandlers.keys))
            }
        }
        var onDisconnect: WebSocketHandlers.DisconnectHandler?
        if let name = settings.onDisconnect {
            onDisconnect = websocket.disconnectHandlers[name.value]
            if onDisconnect == nil {
                missing.append(
                    Self.notRegistered("onDisconnect handler", name, among: websocket.disconnectHandlers.keys))
            }
        }
        var connectPolicy: Policies.ConnectPolicy?
        if let name = settings.isAllowedToConnect {
            connectPolicy = policies.connect[name.value]
            if connectPolicy == nil {
                missing.append(Self.notRegistered("connection policy", name, among: policies.connect.keys))
            }
        }
        guard missing.isEmpty else {
            throw ZibriError(
                code: "missing-handlers",
                message: "the spec names WebSocket handlers or policies that are not registered:\n"
                    + missing.joined(separator: "\n"))
        }
        return WebSocketRuntime(
            path: settings.path.value, routes: routes, service: websocketService,
            connectionAuth: settings.auth?.value ?? .none, authorizer: authorizer,
            allowedOrigins: settings.allowedOrigins,
            maxMessageBytes: settings.maxMessageBytes, messagesPerSecond: settings.messagesPerSecond,
            maxConnections: settings.maxConnections,
            outboundQueueSize: settings.outboundQueueSize, maxPendingMessages: settings.maxPendingMessages,
            clientJoinPatterns: Set(settings.channels.filter(\.clientJoin).map(\.pattern)),
            connectPolicy: connectPolicy, joinPolicies: joinPolicies, onConnect: onConnect, onDisconnect: onDisconnect,
            nodeID: nodeID, closeTimeout: closeTimeout,
            recovery: RecoverySettings(
                enabled: settings.recoveryEnabled, window: .milliseconds(settings.recoveryWindow.milliseconds),
                maxReplay: settings.maxReplay),
            validateResponses: validateResponses, metrics: metrics, logger: logger)
    }

    private func makeRuntime() async throws -> HTTPRuntime {
        var authenticator: JWTAuthenticator?
        if let jwt = compiled.spec.auth?.jwt {
            guard let secret = environment[jwt.secretEnv], !secret.isEmpty else {
                throw ZibriError(
                    code: "missing-secret",
                    message: "the environment variable \(jwt.secretEnv) (auth.jwt.secretEnv) must hold the JWT secret")
            }
            // RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 32 bytes. A
            // shorter one can be guessed, and jwt-kit stops a debug build on it.
            guard secret.utf8.count >= 32 else {
                throw ZibriError(
                    code: "weak-secret",
                    message:
                        "the JWT secret in \(jwt.secretEnv) is \(secret.utf8.count) bytes; HS256 needs at least 32 (openssl rand -base64 32 makes one)"
                )
            }
            authenticator = await JWTAuthenticator.make(settings: jwt, secret: secret)
        }
        return HTTPRuntime(
            authorizer: Authorizer(authenticator: authenticator), maxBodyBytes: compiled.spec.server.maxBodyBytes,
            validateResponses: validateResponses, websocket: websocketService)
    }
}
