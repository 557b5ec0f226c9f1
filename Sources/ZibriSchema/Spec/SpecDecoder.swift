import Foundation

/// Stage 2 of the pipeline: the YAML tree to a typed `Spec`, reporting structural problems
/// (unknown, duplicate and missing keys, wrong value types, unparsable values) in one pass.
struct SpecDecoder {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) {
        self.file = file
    }

    // MARK: Top level

    static let topLevelKeys = ["zibri", "info", "server", "storage", "auth", "models", "http", "websocket"]

    mutating func decode(_ root: YAMLNode) -> Spec? {
        guard let fields = fields(root, "the spec", allowed: Self.topLevelKeys, required: ["zibri", "info"]) else {
            return nil
        }
        var version = Located("1", at: root.location)
        if let node = fields["zibri"], let text = scalarText(node, "'zibri'") {
            version = Located(text, at: node.location)
            if !Spec.supportedVersions.contains(text) {
                report(
                    .error(
                        "unknown-version", "unknown spec format version '\(text)'", at: node.location,
                        hint:
                            "this Zibri reads version \(Spec.supportedVersions.map { "\"\($0)\"" }.joined(separator: ", "))"
                    ))
            }
        }
        let info = fields["info"].flatMap { decodeInfo($0) } ?? Info(title: "", version: "")
        let server = fields["server"].map { decodeServer($0) } ?? ServerSettings()
        var storage: Located<StorageSetting>?
        if let node = fields["storage"], let text = string(node, "'storage'") {
            if let setting = StorageSetting(parsing: text) {
                storage = Located(setting, at: node.location)
                if !StorageSetting.builtInSchemes.contains(setting.scheme) {
                    report(
                        .warning(
                            "unknown-storage-scheme",
                            "no store that comes with Zibri opens '\(setting.scheme):' locations", at: node.location,
                            hint:
                                "the server starts only if the application registers a store for it; Zibri's own are memory, sqlite:PATH and postgres://USER@HOST:PORT/DB"
                        ))
                }
            } else {
                report(
                    .error(
                        "invalid-storage", "'\(text)' is not a storage location", at: node.location,
                        hint:
                            "write memory, sqlite:PATH, postgres://USER@HOST:PORT/DB, or SCHEME:... for a store the application registers"
                    ))
            }
        }
        let auth = fields["auth"].flatMap { decodeAuth($0) }
        let models = fields["models"].map { decodeModels($0) } ?? []
        let http = fields["http"].map { decodeHTTP($0) } ?? HTTPSettings()
        let websocket = fields["websocket"].flatMap { decodeWebSocket($0) }
        return Spec(
            file: file, version: version, info: info, server: server, storage: storage, auth: auth,
            models: models, http: http, websocket: websocket, keyLocations: fields.keyLocations)
    }

    mutating func decodeInfo(_ node: YAMLNode) -> Info? {
        guard
            let fields = fields(
                node, "'info'", allowed: ["title", "version", "description"], required: ["title", "version"])
        else { return nil }
        return Info(
            title: fields["title"].flatMap { scalarText($0, "'title'") } ?? "",
            version: fields["version"].flatMap { scalarText($0, "'version'") } ?? "",
            description: fields["description"].flatMap { string($0, "'description'") })
    }

    mutating func decodeServer(_ node: YAMLNode) -> ServerSettings {
        var server = ServerSettings()
        guard
            let fields = fields(
                node, "'server'",
                allowed: [
                    "host", "port", "maxBodyBytes", "maxHeaderBytes", "maxHeaders", "requestHeadTimeout",
                    "requestBodyTimeout", "maxHTTPConnections", "shutdownTimeout", "validateResponses", "openAPIPath",
                    "metricsPath", "healthPath", "readyPath",
                ])
        else { return server }
        if let value = fields["host"].flatMap({ string($0, "'host'") }) { server.host = value }
        if let value = fields["port"].flatMap({ integer($0, "'port'", in: 0...65_535) }) { server.port = value }
        if let value = fields["maxBodyBytes"].flatMap({ integer($0, "'maxBodyBytes'", in: 1...Int.max) }) {
            server.maxBodyBytes = value
        }
        if let value = fields["maxHeaderBytes"].flatMap({ integer($0, "'maxHeaderBytes'", in: 1024...Int.max) }) {
            server.maxHeaderBytes = value
        }
        if let value = fields["maxHeaders"].flatMap({ integer($0, "'maxHeaders'", in: 1...Int.max) }) {
            server.maxHeaders = value
        }
        func positiveDuration(_ key: String, _ value: inout SpecDuration) {
            guard let node = fields[key], let duration = duration(node, "'\(key)'") else { return }
            if duration.milliseconds > 0 {
                value = duration
            } else {
                report(.error("invalid-value", "'\(key)' must be longer than 0ms", at: node.location))
            }
        }
        positiveDuration("requestHeadTimeout", &server.requestHeadTimeout)
        positiveDuration("requestBodyTimeout", &server.requestBodyTimeout)
        positiveDuration("shutdownTimeout", &server.shutdownTimeout)
        if let value = fields["maxHTTPConnections"].flatMap({ integer($0, "'maxHTTPConnections'", in: 1...Int.max) }) {
            server.maxHTTPConnections = value
        }
        if let node = fields["validateResponses"] { server.validateResponses = bool(node, "'validateResponses'") }
        // A built-in endpoint's path, or `false` to turn it off.
        func endpointPath(_ key: String, _ value: inout String?) {
            guard let node = fields[key] else { return }
            if node.scalar?.value == .bool(false) {
                value = nil
            } else if let path = string(node, "'\(key)'") {
                checkPath(path, at: node.location, what: "'\(key)'")
                value = path
            }
        }
        endpointPath("openAPIPath", &server.openAPIPath)
        endpointPath("metricsPath", &server.metricsPath)
        endpointPath("healthPath", &server.healthPath)
        endpointPath("readyPath", &server.readyPath)
        return server
    }

    mutating func decodeAuth(_ node: YAMLNode) -> AuthSettings? {
        guard let fields = fields(node, "'auth'", allowed: ["jwt"]) else { return nil }
        var auth = AuthSettings(jwt: nil, location: node.location)
        if let jwtNode = fields["jwt"],
            let jwt = self.fields(
                jwtNode, "'auth.jwt'", allowed: ["secretEnv", "userIdClaim", "rolesClaim", "issuer", "audience"],
                required: ["secretEnv"])
        {
            var settings = JWTSettings(secretEnv: jwt["secretEnv"].flatMap { string($0, "'secretEnv'") } ?? "")
            if let value = jwt["userIdClaim"].flatMap({ string($0, "'userIdClaim'") }) { settings.userIdClaim = value }
            if let value = jwt["rolesClaim"].flatMap({ string($0, "'rolesClaim'") }) { settings.rolesClaim = value }
            settings.issuer = jwt["issuer"].flatMap { string($0, "'issuer'") }
            settings.audience = jwt["audience"].flatMap { string($0, "'audience'") }
            auth.jwt = settings
        }
        return auth
    }

    // MARK: Models and property schemas

    static let modelKeys = ["description", "properties", "additionalProperties", "from", "pick", "omit", "partial"]

    mutating func decodeModels(_ node: YAMLNode) -> [Model] {
        guard let pairs = uniquePairs(node, "'models'") else { return [] }
        return pairs.compactMap { pair in
            guard let name = pair.key.scalar?.text else { return nil }
            if !Identifiers.isIdentifier(name) {
                report(
                    .error(
                        "invalid-name", "'\(name)' is not a valid model name", at: pair.key.location,
                        hint: "a model name starts with a letter and has only letters, digits and '_'"))
            }
            if TypeName.builtIn[name] != nil {
                report(
                    .error(
                        "invalid-name", "'\(name)' is a built-in type and cannot name a model", at: pair.key.location))
            }
            return decodeModel(name: name, pair.value, at: pair.key.location)
        }
    }

    mutating func decodeModel(name: String, _ node: YAMLNode, at location: SourceLocation) -> Model? {
        guard let fields = fields(node, "model '\(name)'", allowed: Self.modelKeys) else { return nil }
        var model = Model(
            name: name, location: location, description: fields["description"].flatMap { string($0, "'description'") },
            properties: fields["properties"].map { decodeProperties($0) } ?? [],
            additionalProperties: fields["additionalProperties"].map { decodeAdditionalProperties($0) } ?? .forbidden,
            derivation: nil, keyLocations: fields.keyLocations)
        let partial = fields["partial"].flatMap { bool($0, "'partial'") } ?? false
        if let baseNode = fields["from"], let base = string(baseNode, "'from'") {
            model.derivation = Model.Derivation(
                base: Located(base, at: baseNode.location),
                pick: fields["pick"].flatMap { locatedStrings($0, "'pick'") },
                omit: fields["omit"].flatMap { locatedStrings($0, "'omit'") },
                partial: partial)
            if fields["pick"] != nil, fields["omit"] != nil {
                report(
                    .error(
                        "pick-and-omit", "a model cannot use both 'pick' and 'omit'", at: fields.keyLocations["omit"]!,
                        hint: "keep one of them"))
            }
        } else {
            for key in ["pick", "omit"] where fields[key] != nil {
                report(
                    .error(
                        "missing-key", "'\(key)' needs 'from': the model to take properties from",
                        at: fields.keyLocations[key]!))
            }
            if partial {
                model.properties = model.properties.map { property in
                    var property = property
                    property.schema.required = false
                    return property
                }
            }
        }
        return model
    }

    mutating func decodeProperties(_ node: YAMLNode) -> [Property] {
        guard let pairs = uniquePairs(node, "'properties'") else { return [] }
        return pairs.compactMap { pair in
            guard let name = pair.key.scalar?.text,
                let schema = propertySchema(pair.value, "property '\(name)'")
            else { return nil }
            return Property(name: name, location: pair.key.location, schema: schema)
        }
    }

    mutating func decodeAdditionalProperties(_ node: YAMLNode) -> AdditionalProperties {
        if case .bool(let allowed) = node.scalar?.value { return allowed ? .allowed : .forbidden }
        if node.mapping != nil, let schema = propertySchema(node, "'additionalProperties'") { return .schema(schema) }
        if node.mapping == nil {
            wrongType(node, "'additionalProperties'", expected: "true, false or a property schema")
        }
        return .forbidden
    }

    static let schemaKeys = [
        "type", "required", "nullable", "default", "description", "example", "enum", "const",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "after", "before", "items", "minItems", "maxItems", "uniqueItems",
        "properties", "additionalProperties",
    ]

    /// A property schema; a bare string is shorthand for `{ type: NAME }`.
    mutating func schemaOrTypeName(_ node: YAMLNode, _ what: String) -> PropertySchema? {
        if case .string(let name) = node.scalar?.value {
            return PropertySchema(type: TypeName(name), location: node.location)
        }
        return propertySchema(node, what)
    }

    mutating func propertySchema(_ node: YAMLNode, _ what: String) -> PropertySchema? {
        guard let fields = fields(node, what, allowed: Self.schemaKeys, required: ["type"]) else { return nil }
        guard let typeNode = fields["type"], let typeName = string(typeNode, "'type'") else { return nil }
        var schema = PropertySchema(type: TypeName(typeName), location: node.location)
        schema.keyLocations = fields.keyLocations
        schema.keyLocations["type"] = typeNode.location
        if let value = fields["required"].flatMap({ bool($0, "'required'") }) { schema.required = value }
        if let value = fields["nullable"].flatMap({ bool($0, "'nullable'") }) { schema.nullable = value }
        if let node = fields["default"] {
            schema.defaultValue = node.jsonValue
            if fields["required"] == nil { schema.required = false }
        }
        schema.description = fields["description"].flatMap { string($0, "'description'") }
        schema.example = fields["example"]?.jsonValue
        if let node = fields["enum"] {
            if let items = node.sequence {
                schema.enumValues = items.map(\.jsonValue)
            } else {
                wrongType(node, "'enum'", expected: "a list")
            }
        }
        schema.constValue = fields["const"]?.jsonValue
        schema.minLength = fields["minLength"].flatMap { integer($0, "'minLength'", in: 0...Int.max) }
        schema.maxLength = fields["maxLength"].flatMap { integer($0, "'maxLength'", in: 0...Int.max) }
        schema.pattern = fields["pattern"].flatMap { string($0, "'pattern'") }
        schema.format = fields["format"].flatMap { string($0, "'format'") }
        schema.minimum = fields["minimum"].flatMap { decimal($0, "'minimum'") }
        schema.maximum = fields["maximum"].flatMap { decimal($0, "'maximum'") }
        schema.exclusiveMinimum = fields["exclusiveMinimum"].flatMap { decimal($0, "'exclusiveMinimum'") }
        schema.exclusiveMaximum = fields["exclusiveMaximum"].flatMap { decimal($0, "'exclusiveMaximum'") }
        if let node = fields["multipleOf"], let value = decimal(node, "'multipleOf'") {
            if value > 0 {
                schema.multipleOf = value
            } else {
                report(.error("invalid-value", "'multipleOf' must be greater than 0", at: node.location))
            }
        }
        schema.after = fields["after"].flatMap { dateLiteral($0, "'after'") }
        schema.before = fields["before"].flatMap { dateLiteral($0, "'before'") }
        if let node = fields["items"], let items = schemaOrTypeName(node, "'items'") {
            schema.items = Indirect(items)
        }
        schema.minItems = fields["minItems"].flatMap { integer($0, "'minItems'", in: 0...Int.max) }
        schema.maxItems = fields["maxItems"].flatMap { integer($0, "'maxItems'", in: 0...Int.max) }
        if let value = fields["uniqueItems"].flatMap({ bool($0, "'uniqueItems'") }) { schema.uniqueItems = value }
        schema.properties = fields["properties"].map { decodeProperties($0) }
        if let node = fields["additionalProperties"] {
            schema.additionalProperties = Indirect(decodeAdditionalProperties(node))
        }
        return schema
    }

    // MARK: HTTP

    static let httpRouteKeys = [
        "handler", "summary", "description", "params", "query", "headers", "body", "response", "status",
        "auth", "roles",
    ]

    mutating func decodeHTTP(_ node: YAMLNode) -> HTTPSettings {
        var http = HTTPSettings()
        guard let fields = fields(node, "'http'", allowed: ["basePath", "routes"]) else { return http }
        if let node = fields["basePath"], let path = string(node, "'basePath'") {
            checkPath(path, at: node.location, what: "'basePath'")
            http.basePath = Located(path, at: node.location)
        }
        if let routes = fields["routes"].flatMap({ uniquePairs($0, "'http.routes'") }) {
            http.routes = routes.compactMap { decodeHTTPRoute($0) }
        }
        return http
    }

    mutating func decodeHTTPRoute(_ pair: YAMLPair) -> HTTPRoute? {
        guard let key = pair.key.scalar?.text else { return nil }
        let parts = key.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            report(
                .error(
                    "invalid-route", "'\(key)' is not a route: write the method, a space and the path",
                    at: pair.key.location, hint: "for example 'GET /users/{userId}'"))
            return nil
        }
        let method = String(parts[0])
        let path = String(parts[1])
        if !HTTPRoute.methods.contains(method) {
            let hint =
                HTTPRoute.methods.contains(method.uppercased())
                ? "write '\(method.uppercased())'" : Suggestions.hint(for: method.uppercased(), in: HTTPRoute.methods)
            report(.error("invalid-method", "'\(method)' is not an HTTP method", at: pair.key.location, hint: hint))
        }
        checkPath(path, at: pair.key.location, what: "the route's path", allowsParameters: true)
        var route = HTTPRoute(method: method, path: path, location: pair.key.location)
        guard let fields = fields(pair.value, "route '\(key)'", allowed: Self.httpRouteKeys, required: ["handler"])
        else {
            return route
        }
        route.keyLocations = fields.keyLocations
        route.handler = fields["handler"].flatMap { name($0, "handler") }
        route.summary = fields["summary"].flatMap { string($0, "'summary'") }
        route.description = fields["description"].flatMap { string($0, "'description'") }
        route.params = fields["params"].map { decodeProperties($0) } ?? []
        route.query = fields["query"].map { decodeProperties($0) } ?? []
        route.headers = fields["headers"].map { decodeProperties($0) } ?? []
        route.body = fields["body"].flatMap { schemaOrTypeName($0, "'body'") }
        route.response = fields["response"].flatMap { schemaOrTypeName($0, "'response'") }
        if let node = fields["status"], let status = integer(node, "'status'", in: Int.min...Int.max) {
            route.status = Located(status, at: node.location)
        }
        route.auth = fields["auth"].flatMap { authRequirement($0) }
        route.roles = fields["roles"].flatMap { node in strings(node, "'roles'").map { Located($0, at: node.location) }
        }
        return route
    }

    // MARK: WebSocket

    static let webSocketKeys = [
        "path", "connection", "heartbeat", "recovery", "limits", "channels", "lifecycle", "routes",
    ]
    static let webSocketRouteKeys = ["handler", "description", "body", "response", "auth", "roles"]

    mutating func decodeWebSocket(_ node: YAMLNode) -> WebSocketSettings? {
        guard let fields = fields(node, "'websocket'", allowed: Self.webSocketKeys) else { return nil }
        var settings = WebSocketSettings(path: Located("/ws", at: node.location))
        settings.keyLocations = fields.keyLocations
        if let node = fields["path"], let path = string(node, "'path'") {
            checkPath(path, at: node.location, what: "the WebSocket path")
            settings.path = Located(path, at: node.location)
        }
        if let node = fields["connection"],
            let connection = self.fields(
                node, "'connection'", allowed: ["timeoutInMs", "isAllowedToConnect", "auth", "allowedOrigins"])
        {
            if let list = connection["allowedOrigins"].flatMap({ locatedStrings($0, "'allowedOrigins'") }) {
                settings.allowedOrigins = list.compactMap { origin in
                    guard let normalized = Origins.normalize(origin.value) else {
                        report(
                            .error(
                                "invalid-value",
                                "'\(origin.value)' is not an origin: write scheme://host[:port] (no path), or * for any",
                                at: origin.location))
                        return nil
                    }
                    return normalized
                }
            }
            if let value = connection["timeoutInMs"].flatMap({ integer($0, "'timeoutInMs'", in: 1...Int.max) }) {
                settings.timeoutInMs = value
            }
            settings.isAllowedToConnect = connection["isAllowedToConnect"].flatMap { name($0, "policy") }
            settings.auth = connection["auth"].flatMap { authRequirement($0) }
        }
        if let node = fields["heartbeat"],
            let heartbeat = self.fields(node, "'heartbeat'", allowed: ["interval", "timeout"])
        {
            if let value = heartbeat["interval"].flatMap({ duration($0, "'interval'") }) {
                settings.heartbeatInterval = value
            }
            if let value = heartbeat["timeout"].flatMap({ duration($0, "'timeout'") }) {
                settings.heartbeatTimeout = value
            }
        }
        if let node = fields["recovery"],
            let recovery = self.fields(node, "'recovery'", allowed: ["enabled", "window", "maxReplay"])
        {
            if let value = recovery["enabled"].flatMap({ bool($0, "'enabled'") }) { settings.recoveryEnabled = value }
            if let value = recovery["window"].flatMap({ duration($0, "'window'") }) { settings.recoveryWindow = value }
            if let value = recovery["maxReplay"].flatMap({ integer($0, "'maxReplay'", in: 0...Int.max) }) {
                settings.maxReplay = value
            }
        }
        if let node = fields["limits"],
            let limits = self.fields(
                node, "'limits'",
                allowed: [
                    "maxMessageBytes", "messagesPerSecond", "maxConnections", "outboundQueueSize", "maxPendingMessages",
                    "storeTimeout",
                ])
        {
            if let value = limits["maxMessageBytes"].flatMap({ integer($0, "'maxMessageBytes'", in: 1...Int.max) }) {
                settings.maxMessageBytes = value
            }
            if let value = limits["messagesPerSecond"].flatMap({ integer($0, "'messagesPerSecond'", in: 1...Int.max) })
            {
                settings.messagesPerSecond = value
            }
            if let value = limits["maxConnections"].flatMap({ integer($0, "'maxConnections'", in: 1...Int.max) }) {
                settings.maxConnections = value
            }
            if let value = limits["maxPendingMessages"].flatMap({ integer($0, "'maxPendingMessages'", in: 1...Int.max) }
            ) {
                settings.maxPendingMessages = value
            }
            if let value = limits["outboundQueueSize"].flatMap({ integer($0, "'outboundQueueSize'", in: 1...Int.max) })
            {
                settings.outboundQueueSize = value
            }
            if let node = limits["storeTimeout"], let value = duration(node, "'storeTimeout'") {
                if value.milliseconds > 0 {
                    settings.storeTimeout = value
                } else {
                    report(.error("invalid-value", "'storeTimeout' must be longer than 0ms", at: node.location))
                }
            }
        }
        if let pairs = fields["channels"].flatMap({ uniquePairs($0, "'channels'") }) {
            settings.channels = pairs.compactMap { pair -> ChannelDefinition? in
                guard let pattern = pair.key.scalar?.text else { return nil }
                var channel = ChannelDefinition(pattern: pattern, location: pair.key.location)
                if ChannelDefinition.parts(of: pattern) == nil {
                    report(
                        .error(
                            "invalid-channel-pattern", "'\(pattern)' is not a channel pattern", at: pair.key.location,
                            hint: "literal text with {name} parameters, e.g. 'room:{roomId}'"))
                }
                if let fields = self.fields(
                    pair.value, "channel '\(pattern)'",
                    allowed: ["clientJoin", "join", "description", "durable", "rejoin"])
                {
                    if let value = fields["clientJoin"].flatMap({ bool($0, "'clientJoin'") }) {
                        channel.clientJoin = value
                    }
                    channel.join = fields["join"].flatMap { name($0, "policy") }
                    channel.description = fields["description"].flatMap { string($0, "'description'") }
                    if let node = fields["durable"], let value = bool(node, "'durable'") {
                        channel.durable = Located(value, at: node.location)
                    }
                    channel.rejoin = fields["rejoin"].flatMap { rejoin($0) }
                }
                return channel
            }
        }
        if let node = fields["lifecycle"],
            let lifecycle = self.fields(node, "'lifecycle'", allowed: ["onConnect", "onDisconnect"])
        {
            settings.onConnect = lifecycle["onConnect"].flatMap { name($0, "handler") }
            settings.onDisconnect = lifecycle["onDisconnect"].flatMap { name($0, "handler") }
        }
        if let pairs = fields["routes"].flatMap({ uniquePairs($0, "'websocket.routes'") }) {
            settings.routes = pairs.compactMap { pair -> WebSocketRoute? in
                guard let event = pair.key.scalar?.text else { return nil }
                var route = WebSocketRoute(event: event, location: pair.key.location)
                guard
                    let fields = self.fields(
                        pair.value, "route '\(event)'", allowed: Self.webSocketRouteKeys, required: ["handler"])
                else { return route }
                route.keyLocations = fields.keyLocations
                route.handler = fields["handler"].flatMap { name($0, "handler") }
                route.description = fields["description"].flatMap { string($0, "'description'") }
                route.body = fields["body"].flatMap { schemaOrTypeName($0, "'body'") }
                route.response = fields["response"].flatMap { schemaOrTypeName($0, "'response'") }
                route.auth = fields["auth"].flatMap { authRequirement($0) }
                route.roles = fields["roles"].flatMap { node in
                    strings(node, "'roles'").map { Located($0, at: node.location) }
                }
                return route
            }
        }
        return settings
    }

    // MARK: Reading values

    struct Fields {
        var values: [String: YAMLNode] = [:]
        var keyLocations: [String: SourceLocation] = [:]

        subscript(key: String) -> YAMLNode? { values[key] }
    }

    mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    mutating func wrongType(_ node: YAMLNode, _ what: String, expected: String) {
        report(
            .error("wrong-type", "expected \(expected) for \(what), found \(node.kindDescription)", at: node.location))
    }

    /// The pairs of a mapping with string keys, reporting duplicate keys (the first one wins).
    mutating func uniquePairs(_ node: YAMLNode, _ what: String) -> [YAMLPair]? {
        if node.scalar?.value == .null { return [] }
        guard let pairs = node.mapping else {
            wrongType(node, what, expected: "a mapping")
            return nil
        }
        var seen: [String: SourceLocation] = [:]
        var unique: [YAMLPair] = []
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                report(
                    .error(
                        "wrong-type", "keys of \(what) must be strings, found \(pair.key.kindDescription)",
                        at: pair.key.location))
                continue
            }
            if let first = seen[key] {
                report(
                    .error(
                        "duplicate-key", "duplicate key '\(key)' in \(what)", at: pair.key.location,
                        hint: "first defined at \(first.line):\(first.column)"))
                continue
            }
            seen[key] = pair.key.location
            unique.append(pair)
        }
        return unique
    }

    /// A mapping's fields, reporting duplicate, unknown and missing keys.
    mutating func fields(
        _ node: YAMLNode, _ what: String, allowed: [String], required: [String] = []
    ) -> Fields? {
        guard let pairs = uniquePairs(node, what) else { return nil }
        var fields = Fields()
        for pair in pairs {
            let key = pair.key.scalar!.text
            guard allowed.contains(key) else {
                let hint =
                    Suggestions.hint(for: key, in: allowed)
                    ?? (allowed.count <= 10 ? "expected one of: \(allowed.joined(separator: ", "))" : nil)
                report(.error("unknown-key", "unknown key '\(key)' in \(what)", at: pair.key.location, hint: hint))
                continue
            }
            fields.values[key] = pair.value
            fields.keyLocations[key] = pair.key.location
        }
        for key in required where fields.values[key] == nil {
            report(.error("missing-key", "\(what) needs the key '\(key)'", at: node.location))
        }
        return fields
    }

    mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        if case .string(let value) = node.scalar?.value { return value }
        wrongType(node, what, expected: "a string")
        return nil
    }

    /// Any scalar's text: for values like versions that YAML may read as numbers.
    mutating func scalarText(_ node: YAMLNode, _ what: String) -> String? {
        if let scalar = node.scalar, scalar.value != .null { return scalar.text }
        wrongType(node, what, expected: "a string")
        return nil
    }

    mutating func integer(_ node: YAMLNode, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard case .integer(let value) = node.scalar?.value else {
            wrongType(node, what, expected: "an integer")
            return nil
        }
        guard range.contains(value) else {
            let bound = value < range.lowerBound ? "at least \(range.lowerBound)" : "at most \(range.upperBound)"
            report(.error("invalid-value", "\(what) must be \(bound), is \(value)", at: node.location))
            return nil
        }
        return value
    }

    mutating func decimal(_ node: YAMLNode, _ what: String) -> Decimal? {
        switch node.scalar?.value {
        case .integer, .number:
            if let value = Decimal(string: node.scalar!.text, locale: Locale(identifier: "en_US_POSIX")),
                !value.isNaN
            {
                return value
            }
        default: break
        }
        wrongType(node, what, expected: "a number")
        return nil
    }

    mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        if case .bool(let value) = node.scalar?.value { return value }
        wrongType(node, what, expected: "true or false")
        return nil
    }

    mutating func strings(_ node: YAMLNode, _ what: String) -> [String]? {
        locatedStrings(node, what)?.map(\.value)
    }

    mutating func locatedStrings(_ node: YAMLNode, _ what: String) -> [Located<String>]? {
        guard let items = node.sequence else {
            wrongType(node, what, expected: "a list of strings")
            return nil
        }
        return items.compactMap { item in string(item, "an item of \(what)").map { Located($0, at: item.location) } }
    }

    mutating func duration(_ node: YAMLNode, _ what: String) -> SpecDuration? {
        if let scalar = node.scalar, scalar.value != .null, let duration = SpecDuration(parsing: scalar.text) {
            return duration
        }
        let hint: String? =
            if case .integer(let number) = node.scalar?.value {
                "add a unit: \(number)ms, \(number)s, \(number)m or \(number)h"
            } else {
                "write a number and a unit: 500ms, 20s, 2m or 1h"
            }
        report(
            .error(
                "invalid-duration", "\(what) must be a duration, found '\(node.scalar?.text ?? node.kindDescription)'",
                at: node.location, hint: hint))
        return nil
    }

    mutating func dateLiteral(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        if ISO8601.parse(text) == nil {
            report(
                .error(
                    "invalid-value", "\(what) must be an ISO 8601 date or date-time, found '\(text)'", at: node.location
                ))
            return nil
        }
        return text
    }

    mutating func authRequirement(_ node: YAMLNode) -> Located<AuthRequirement>? {
        guard let text = string(node, "'auth'") else { return nil }
        guard let requirement = AuthRequirement(rawValue: text) else {
            report(
                .error(
                    "invalid-value", "'auth' must be none, optional or required, found '\(text)'", at: node.location,
                    hint: Suggestions.hint(for: text, in: AuthRequirement.allCases.map(\.rawValue))))
            return nil
        }
        return Located(requirement, at: node.location)
    }

    mutating func rejoin(_ node: YAMLNode) -> Located<ChannelDefinition.Rejoin>? {
        guard let text = string(node, "'rejoin'") else { return nil }
        guard let rejoin = ChannelDefinition.Rejoin(rawValue: text) else {
            report(
                .error(
                    "invalid-value", "'rejoin' must be keep or check, found '\(text)'", at: node.location,
                    hint: Suggestions.hint(for: text, in: ChannelDefinition.Rejoin.allCases.map(\.rawValue))))
            return nil
        }
        return Located(rejoin, at: node.location)
    }

    /// A handler or policy name: an identifier, so it reads as a Swift name.
    mutating func name(_ node: YAMLNode, _ kind: String) -> Located<String>? {
        guard let text = string(node, "a \(kind) name") else { return nil }
        guard Identifiers.isIdentifier(text) else {
            report(
                .error(
                    "invalid-name", "'\(text)' is not a valid \(kind) name", at: node.location,
                    hint: "a \(kind) name starts with a letter and has only letters, digits and '_'"))
            return nil
        }
        return Located(text, at: node.location)
    }

    mutating func checkPath(_ path: String, at location: SourceLocation, what: String, allowsParameters: Bool = false) {
        var problem: String?
        if !path.hasPrefix("/") {
            problem = "must start with '/'"
        } else if path.contains("//") {
            problem = "has an empty segment ('//')"
        } else if path.contains("?") || path.contains("#") {
            problem = "cannot hold a query or fragment"
        } else if path.contains(where: { $0.isWhitespace }) {
            problem = "cannot hold spaces"
        } else {
            for segment in path.split(separator: "/") {
                if segment == "." || segment == ".." {
                    problem = "cannot hold '.' or '..' segments"
                } else if segment.contains("{") || segment.contains("}") {
                    let isParameter =
                        segment.hasPrefix("{") && segment.hasSuffix("}")
                        && Identifiers.isIdentifier(String(segment.dropFirst().dropLast()))
                    if !allowsParameters {
                        problem = "cannot hold parameters"
                    } else if !isParameter {
                        problem = "has a malformed parameter '\(segment)': a parameter is a whole segment '{name}'"
                    }
                }
            }
        }
        if let problem {
            report(.error("invalid-path", "'\(path)' is not a valid path: \(what) \(problem)", at: location))
        }
    }
}
