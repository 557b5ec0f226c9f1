import Foundation

/// Stage 3 of the pipeline: semantic rules over a decoded spec (references, cycles,
/// contradictory constraints, routes, channels, names). Structural problems were reported by
/// the decoder; the compile stage (ZibriValidation) adds the rules that need a validator.
package struct SpecLinter {
    let spec: Spec
    let models: [String: ResolvedModel]
    var diagnostics: [Diagnostic] = []

    package static func lint(_ resolved: ResolvedSpec) -> [Diagnostic] {
        var linter = SpecLinter(spec: resolved.spec, models: resolved.models)
        linter.lintSchemas()
        linter.lintModelCycles()
        linter.lintUnusedModels()
        linter.lintHTTPRoutes()
        linter.lintWebSocket()
        linter.lintHandlerNames()
        return linter.diagnostics
    }

    /// The schema rules for one schema that is not part of `spec` but may use its models.
    package static func lint(schema: PropertySchema, in spec: Spec) -> [Diagnostic] {
        var linter = SpecLinter(spec: spec, models: [:])
        linter.lintSchema(schema)
        return linter.diagnostics
    }

    private mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    // MARK: Property schemas

    /// Every schema written in the spec, with a description of where it sits.
    private var allSchemas: [PropertySchema] {
        var schemas: [PropertySchema] = []
        for model in spec.models {
            schemas += model.properties.map(\.schema)
            if case .schema(let schema) = model.additionalProperties { schemas.append(schema) }
        }
        for route in spec.http.routes {
            schemas += (route.params + route.query + route.headers).map(\.schema)
            schemas += [route.body, route.response].compactMap { $0 }
        }
        for route in spec.websocket?.routes ?? [] {
            schemas += [route.body, route.response].compactMap { $0 }
        }
        return schemas
    }

    private mutating func lintSchemas() {
        for schema in allSchemas {
            lintSchema(schema)
        }
    }

    private mutating func lintSchema(_ schema: PropertySchema) {
        let typeName = schema.type.description
        if case .model(let name) = schema.type, spec.model(named: name) == nil {
            report(
                .error(
                    "unknown-type", "unknown type '\(name)'", at: schema.location(of: "type"),
                    hint: Suggestions.hint(for: name, in: spec.models.map(\.name) + TypeName.builtIn.keys)
                        ?? "a type is string, integer, number, boolean, date, array, object, any or a model's name"))
        }
        let builtInType: String? = if case .model = schema.type { nil } else { typeName }
        for (key, types) in PropertySchema.typedKeys where schema.keyLocations[key] != nil {
            guard let builtInType, types.contains(builtInType) else {
                report(
                    .error(
                        "constraint-type-mismatch", "'\(key)' does not apply to \(typeName)",
                        at: schema.location(of: key),
                        hint: "'\(key)' applies to \(types.sorted().joined(separator: " and "))"))
                continue
            }
        }
        checkOrder(schema.minLength, schema.maxLength, "minLength", "maxLength", in: schema)
        checkOrder(schema.minItems, schema.maxItems, "minItems", "maxItems", in: schema)
        checkOrder(schema.minimum, schema.maximum, "minimum", "maximum", in: schema)
        if let low = schema.exclusiveMinimum, let high = schema.exclusiveMaximum, low >= high {
            report(
                .error(
                    "min-greater-than-max",
                    "'exclusiveMinimum' (\(low)) must be less than 'exclusiveMaximum' (\(high))",
                    at: schema.location(of: "exclusiveMinimum")))
        }
        if let after = schema.after.flatMap(ISO8601.parse), let before = schema.before.flatMap(ISO8601.parse),
            after >= before
        {
            report(
                .error(
                    "min-greater-than-max",
                    "'after' (\(schema.after!)) must be earlier than 'before' (\(schema.before!))",
                    at: schema.location(of: "after")))
        }
        if let format = schema.format, StringFormat(rawValue: format) == nil {
            report(
                .error(
                    "unknown-format", "unknown format '\(format)'", at: schema.location(of: "format"),
                    hint: Suggestions.hint(for: format, in: StringFormat.allCases.map(\.rawValue))
                        ?? "formats: \(StringFormat.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        if let members = schema.enumValues {
            if members.isEmpty {
                report(
                    .error(
                        "empty-enum", "'enum' is empty: no value could ever be valid", at: schema.location(of: "enum")))
            }
            var seen: Set<JSONValue> = []
            for member in members where !seen.insert(member).inserted {
                report(
                    .error(
                        "duplicate-enum-member", "'enum' lists \(member.jsonText) more than once",
                        at: schema.location(of: "enum")))
            }
        }
        if let items = schema.items?.value {
            lintSchema(items)
        }
        for property in schema.properties ?? [] {
            lintSchema(property.schema)
        }
        if case .schema(let extra) = schema.additionalProperties?.value {
            lintSchema(extra)
        }
    }

    private mutating func checkOrder<T: Comparable>(
        _ low: T?, _ high: T?, _ lowKey: String, _ highKey: String, in schema: PropertySchema
    ) {
        if let low, let high, low > high {
            report(
                .error(
                    "min-greater-than-max", "'\(lowKey)' (\(low)) is greater than '\(highKey)' (\(high))",
                    at: schema.location(of: lowKey)))
        }
    }

    // MARK: Models

    /// The models a schema must contain whenever it is present (required, not nullable, not inside a list).
    private func requiredReferences(_ schema: PropertySchema) -> [String] {
        if case .model(let name) = schema.type { return [name] }
        guard schema.type == .object else { return [] }
        return (schema.properties ?? []).filter { $0.schema.required && !$0.schema.nullable }
            .flatMap { requiredReferences($0.schema) }
    }

    /// A model that requires itself (directly or through other models) can never be written:
    /// some property on the way must be optional, nullable or a list.
    private mutating func lintModelCycles() {
        var edges: [String: [(target: String, via: Property)]] = [:]
        for model in spec.models {
            guard let resolved = models[model.name] else { continue }
            for property in resolved.properties where property.schema.required && !property.schema.nullable {
                for target in requiredReferences(property.schema) where models[target] != nil {
                    edges[model.name, default: []].append((target, property))
                }
            }
        }
        var reported: Set<String> = []
        for model in spec.models {
            // Depth-first search for a path back to the model.
            var stack: [(name: String, path: [(String, Property)])] = [(model.name, [])]
            var visited: Set<String> = []
            while let (name, path) = stack.popLast() {
                for edge in edges[name] ?? [] {
                    let newPath = path + [(name, edge.via)]
                    if edge.target == model.name {
                        let members = Set(newPath.map(\.0))
                        guard reported.isDisjoint(with: members) else { continue }
                        reported.formUnion(members)
                        let chain = newPath.map { "\($0.0).\($0.1.name)" }.joined(separator: " → ") + " → \(model.name)"
                        report(
                            .error(
                                "model-cycle",
                                "model '\(model.name)' can never be written: it requires itself through \(chain)",
                                at: newPath[0].1.location, hint: "make one property on the way optional or nullable"))
                    } else if visited.insert(edge.target).inserted {
                        stack.append((edge.target, newPath))
                    }
                }
            }
        }
    }

    private func referencedModels(_ schema: PropertySchema) -> [String] {
        var names: [String] = []
        if case .model(let name) = schema.type { names.append(name) }
        if let items = schema.items?.value { names += referencedModels(items) }
        for property in schema.properties ?? [] { names += referencedModels(property.schema) }
        if case .schema(let extra) = schema.additionalProperties?.value { names += referencedModels(extra) }
        return names
    }

    private mutating func lintUnusedModels() {
        var roots: [String] = []
        for route in spec.http.routes {
            for schema in (route.params + route.query + route.headers).map(\.schema)
                + [route.body, route.response].compactMap({ $0 })
            {
                roots += referencedModels(schema)
            }
        }
        for route in spec.websocket?.routes ?? [] {
            for schema in [route.body, route.response].compactMap({ $0 }) {
                roots += referencedModels(schema)
            }
        }
        var used: Set<String> = []
        while let name = roots.popLast() {
            guard used.insert(name).inserted, let model = spec.model(named: name) else { continue }
            if let base = model.derivation?.base.value { roots.append(base) }
            for property in model.properties { roots += referencedModels(property.schema) }
            if case .schema(let extra) = model.additionalProperties { roots += referencedModels(extra) }
        }
        for model in spec.models where !used.contains(model.name) {
            report(.warning("unused-model", "model '\(model.name)' is not used by any route", at: model.location))
        }
    }

    // MARK: HTTP

    private func fullPath(_ route: HTTPRoute) -> String {
        (spec.http.basePath?.value ?? "") + route.path
    }

    /// Paths that match the same requests have the same shape: literals, with every parameter alike.
    private static func shape(_ path: String) -> [String] {
        HTTPRoute.segments(of: path).map { segment in
            switch segment {
            case .literal(let text): text
            case .parameter: "{}"
            }
        }
    }

    private mutating func lintHTTPRoutes() {
        var seen: [String: HTTPRoute] = [:]
        for route in spec.http.routes {
            let key = route.method + " " + Self.shape(fullPath(route)).joined(separator: "/")
            if let first = seen[key] {
                report(
                    .error(
                        "ambiguous-route",
                        "'\(route.method) \(route.path)' matches the same requests as '\(first.method) \(first.path)' (line \(first.location.line))",
                        at: route.location))
            } else {
                seen[key] = route
            }
            lintPathParameters(route)
            if ["GET", "HEAD", "DELETE"].contains(route.method), let body = route.body {
                report(
                    .warning(
                        "body-not-allowed",
                        "\(route.method) requests should not have a body; clients and proxies may drop it",
                        at: route.keyLocations["body"] ?? body.location))
            }
            if let status = route.status, !(100...599).contains(status.value) {
                report(
                    .error(
                        "invalid-status", "status \(status.value) is not an HTTP status (100-599)", at: status.location)
                )
            }
            lintAuth(route.auth, route.roles)
        }
    }

    private mutating func lintPathParameters(_ route: HTTPRoute) {
        let names = route.pathParameterNames
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            report(.error("invalid-path", "the path names the parameter '\(name)' twice", at: route.location))
        }
        let declared = route.params.map(\.name)
        for name in Array(seen).sorted() where !declared.contains(name) {
            report(
                .warning(
                    "undeclared-path-param",
                    "path parameter '\(name)' is not declared in 'params'; it is taken as a string",
                    at: route.location, hint: "declare it: params: { \(name): { type: string } }"))
        }
        for parameter in route.params where !names.contains(parameter.name) {
            report(
                .error(
                    "unused-path-param",
                    "parameter '\(parameter.name)' is declared but the path has no '{\(parameter.name)}'",
                    at: parameter.location, hint: Suggestions.hint(for: parameter.name, in: names)))
        }
    }

    private mutating func lintAuth(_ auth: Located<AuthRequirement>?, _ roles: Located<[String]>?) {
        guard spec.auth == nil else { return }
        if let auth, auth.value != .none {
            report(
                .error(
                    "auth-not-configured",
                    "'auth: \(auth.value.rawValue)' needs an 'auth' section at the top of the spec",
                    at: auth.location, hint: "add auth: { jwt: { secretEnv: YOUR_SECRET_VARIABLE } }"))
        }
        if let roles {
            report(
                .error(
                    "auth-not-configured", "'roles' needs an 'auth' section at the top of the spec", at: roles.location,
                    hint: "add auth: { jwt: { secretEnv: YOUR_SECRET_VARIABLE } }"))
        }
    }

    // MARK: WebSocket

    private mutating func lintWebSocket() {
        guard let websocket = spec.websocket else { return }
        let socketSegments = HTTPRoute.segments(of: websocket.path.value)
        for route in spec.http.routes where route.method == "GET" {
            let routeSegments = HTTPRoute.segments(of: fullPath(route))
            // The upgrade request is a GET that the route would match too.
            let matches =
                routeSegments.count == socketSegments.count
                && zip(routeSegments, socketSegments).allSatisfy { $0.parameterName != nil || $0 == $1 }
            guard matches else { continue }
            report(
                .error(
                    "websocket-path-collision",
                    "the WebSocket path '\(websocket.path.value)' is also matched by the HTTP route 'GET \(route.path)' (line \(route.location.line))",
                    at: websocket.path.location))
        }
        lintAuth(websocket.auth, nil)
        lintChannels(websocket)
        for route in websocket.routes {
            if route.event.hasPrefix("ws:") {
                report(
                    .error(
                        "reserved-event",
                        "'\(route.event)': events starting with 'ws:' are reserved for Zibri's own events",
                        at: route.location))
            } else if route.event.trimmingCharacters(in: .whitespaces).isEmpty {
                report(.error("invalid-event", "an event name cannot be empty", at: route.location))
            }
            lintAuth(route.auth, route.roles)
        }
    }

    private mutating func lintChannels(_ websocket: WebSocketSettings) {
        let anonymous = (websocket.auth?.value ?? .none) == .none
        for channel in websocket.channels {
            if let durable = channel.durable, durable.value, anonymous {
                report(
                    .warning(
                        "durable-without-auth",
                        "'\(channel.pattern)' is durable, but WebSocket connections have no user: a durable membership belongs to a user, so every join stays with its session",
                        at: durable.location, hint: "set websocket.connection.auth to optional or required"))
            }
            if let rejoin = channel.rejoin, rejoin.value == .check {
                if channel.join == nil {
                    report(
                        .warning(
                            "rejoin-without-policy",
                            "'rejoin: check' asks the join policy again, but '\(channel.pattern)' has none: every membership is kept",
                            at: rejoin.location, hint: "name a policy with join: POLICY"))
                } else if !channel.isDurable {
                    report(
                        .warning(
                            "rejoin-without-policy",
                            "'rejoin: check' applies to durable memberships, and '\(channel.pattern)' is not durable",
                            at: rejoin.location, hint: "add durable: true, or remove rejoin"))
                }
            }
        }
    }

    // MARK: Handlers

    private mutating func lintHandlerNames() {
        var seen: [String: SourceLocation] = [:]
        let handlers = spec.http.routes.compactMap(\.handler) + (spec.websocket?.routes ?? []).compactMap(\.handler)
        for handler in handlers {
            if let first = seen[handler.value] {
                report(
                    .warning(
                        "duplicate-handler",
                        "handler '\(handler.value)' is also used by the route at line \(first.line); both routes call the same closure",
                        at: handler.location))
            } else {
                seen[handler.value] = handler.location
            }
        }
    }
}
