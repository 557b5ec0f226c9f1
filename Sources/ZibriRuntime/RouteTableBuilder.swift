import Hummingbird
import Logging
import ZibriSchema
import ZibriValidation

/// Joins the compiled spec with the closures registered by name into the `RouteTable`, once, at
/// start-up. Every handler or policy the spec names but nobody registered is reported in one
/// error, HTTP and WebSocket together, with its place in the spec and a suggestion.
struct RouteTableBuilder {
    let compiled: CompiledSpec
    let http: HTTPHandlers
    let websocket: WebSocketHandlers
    let policies: Policies
    let metrics: ZibriMetrics
    let logger: Logger

    /// What the WebSocket runtime shares besides its routes.
    struct WebSocketParts {
        let service: WebSocketService
        let authorizer: Authorizer
        let nodeID: String
        let closeTimeout: Duration
        let validateResponses: Bool
    }

    /// Throws `ZibriError` `missing-handlers`, or the `SpecError` of a schema that cannot be
    /// compiled.
    func build(_ parts: WebSocketParts) throws -> RouteTable {
        var missing: [String] = []
        let routes = try httpRoutes(missing: &missing)
        let sockets = try webSocketRuntime(parts, missing: &missing)
        guard missing.isEmpty else {
            throw ZibriError(
                code: "missing-handlers",
                message: "the spec names handlers or policies that are not registered:\n"
                    + missing.joined(separator: "\n"))
        }
        return RouteTable(http: routes, websocket: sockets)
    }

    private func httpRoutes(missing: inout [String]) throws -> [CompiledRoute] {
        let spec = compiled.spec
        let registered = http.registrations
        let basePath = spec.http.basePath?.value ?? ""
        var routes: [CompiledRoute] = []
        for route in spec.http.routes {
            guard let handler = route.handler else { continue }
            guard let registration = registered[handler.value] else {
                missing.append(Self.notRegistered("handler", handler, among: registered.keys))
                continue
            }
            let status = route.status?.value ?? (route.response == nil ? 204 : 200)
            routes.append(
                CompiledRoute(
                    method: HTTPRequest.Method(route.method)!, path: basePath + route.path,
                    handlerName: handler.value, handler: registration.handler,
                    params: compiled.parameterValidator(for: route.effectiveParams, in: .params),
                    query: compiled.parameterValidator(for: route.query, in: .query),
                    headers: compiled.parameterValidator(for: route.headers, in: .headers),
                    body: try validator(route.body), response: try validator(route.response),
                    status: HTTPResponse.Status(code: status),
                    auth: route.auth?.value ?? .none, roles: route.roles?.value ?? [],
                    metrics: metrics.route(
                        transport: "http", name: "\(route.method) \(basePath + route.path)", handler: handler.value)))
        }
        let used = Set(spec.http.routes.compactMap(\.handler?.value))
        for (name, registration) in registered where !used.contains(name) {
            logger.warning(
                "handler '\(name)' is registered at \(registration.file):\(registration.line) but the spec never uses it"
            )
        }
        return routes
    }

    private func webSocketRuntime(_ parts: WebSocketParts, missing: inout [String]) throws -> WebSocketRuntime? {
        guard let settings = compiled.spec.websocket else { return nil }
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
                body: try validator(route.body), response: try validator(route.response),
                auth: route.auth?.value ?? .none, roles: route.roles?.value ?? [],
                metrics: metrics.route(transport: "websocket", name: route.event, handler: handler.value))
        }
        var joinPolicies: [String: Policies.JoinPolicy] = [:]
        for channel in settings.channels {
            guard let name = channel.join else { continue }
            if let policy = lookUp("join policy", name, in: policies.join, missing: &missing) {
                joinPolicies[channel.pattern] = policy
            }
        }
        let onConnect = settings.onConnect.flatMap {
            lookUp("onConnect handler", $0, in: websocket.connectHandlers, missing: &missing)
        }
        let onDisconnect = settings.onDisconnect.flatMap {
            lookUp("onDisconnect handler", $0, in: websocket.disconnectHandlers, missing: &missing)
        }
        let connectPolicy = settings.isAllowedToConnect.flatMap {
            lookUp("connection policy", $0, in: policies.connect, missing: &missing)
        }
        let recovery = RecoverySettings(
            enabled: settings.recoveryEnabled, window: .milliseconds(settings.recoveryWindow.milliseconds),
            maxReplay: settings.maxReplay)
        return WebSocketRuntime(
            path: settings.path.value, routes: routes, service: parts.service,
            connectionAuth: settings.auth?.value ?? .none, authorizer: parts.authorizer,
            allowedOrigins: settings.allowedOrigins,
            limits: WebSocketLimits(settings, closeTimeout: parts.closeTimeout),
            clientJoinPatterns: Set(settings.channels.filter(\.clientJoin).map(\.pattern)),
            rejoinCheckPatterns: Set(
                settings.channels.filter { $0.isDurable && $0.rejoin?.value == .check }.map(\.pattern)),
            connectPolicy: connectPolicy, joinPolicies: joinPolicies, onConnect: onConnect, onDisconnect: onDisconnect,
            nodeID: parts.nodeID,
            recovery: recovery,
            validateResponses: parts.validateResponses, metrics: metrics, logger: logger)
    }

    private func validator(_ schema: PropertySchema?) throws -> Validator? {
        try schema.map { try compiled.validator(for: $0) }
    }

    private func lookUp<Value>(
        _ kind: String, _ name: Located<String>, in registered: [String: Value], missing: inout [String]
    ) -> Value? {
        if let value = registered[name.value] { return value }
        missing.append(Self.notRegistered(kind, name, among: registered.keys))
        return nil
    }

    /// `spec.zibri.yaml:12:16: handler 'getUser' is not registered (did you mean 'getUsers'?)`
    static func notRegistered(
        _ kind: String, _ name: Located<String>, among registered: some Sequence<String>
    ) -> String {
        let hint = Suggestions.hint(for: name.value, in: registered).map { " (\($0))" } ?? ""
        return "\(name.location): \(kind) '\(name.value)' is not registered\(hint)"
    }
}
