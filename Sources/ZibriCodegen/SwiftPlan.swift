import Foundation
import ZibriSchema

/// The declarations a spec needs, named and ordered, with its fingerprint.
struct SwiftPlan {
    var declarations: [SwiftDeclaration] = []
    var handlers: [SwiftHandler] = []
    /// Handler names used with different types by several routes: registered by name only.
    var untypedHandlers: [String] = []
    var usesDate = false
    /// `SpecFingerprint`'s, written into the code for the runtime to compare.
    let fingerprint: String

    /// `base`, or `base2`… if a model already has that name.
    func uniqueTopLevelName(_ base: String) -> String {
        var taken = topLevelNames
        return SwiftNames.unique(base, in: &taken)
    }

    private let models: [String: ResolvedModel]
    private var definitions: [String: Model] = [:]
    private var planned: [String: SwiftDeclaration] = [:]
    /// Each model's properties' types, as code outside the model names them (`Todo.Priority`).
    private var propertyTypes: [String: [String: String]] = [:]
    private var modelTypeNames: [String: String] = [:]
    private var topLevelNames: Set<String> = []
    /// Models that contain a model inline (not through an array or a map), for boxing.
    private var inlineEdges: [String: Set<String>] = [:]

    init(_ resolved: ResolvedSpec) {
        let spec = resolved.spec
        models = resolved.models
        fingerprint = SpecFingerprint.of(resolved)
        var taken: Set<String> = ["Handlers"]
        for model in spec.models where models[model.name] != nil && modelTypeNames[model.name] == nil {
            modelTypeNames[model.name] = SwiftNames.unique(SwiftNames.typeName(model.name), in: &taken)
        }
        topLevelNames = taken
        for model in spec.models {
            guard let resolved = models[model.name] else { continue }
            var edges: Set<String> = []
            Self.collectInlineModels(resolved.properties, into: &edges)
            inlineEdges[model.name] = edges
        }
        for model in spec.models where definitions[model.name] == nil {
            definitions[model.name] = model
        }
        for model in spec.models {
            if let declaration = planModel(model.name) { declarations.append(declaration) }
        }
        planHandlers(spec)
    }

    /// Plans a model once, its base first: a property a derived model takes from its base keeps
    /// the base's type (`NewTodo.priority` is a `Todo.Priority`, not an enum of its own).
    private mutating func planModel(_ name: String) -> SwiftDeclaration? {
        if let done = planned[name] { return done }
        guard let resolved = models[name], let typeName = modelTypeNames[name], let model = definitions[name] else {
            return nil
        }
        var inherited: [String: String] = [:]
        if let base = model.derivation?.base.value, planModel(base) != nil {
            let own = Set(model.properties.map(\.name))
            for (property, type) in propertyTypes[base] ?? [:] where !own.contains(property) {
                inherited[property] = type
            }
        }
        let declaration = declaration(for: resolved, named: typeName, inherited: inherited)
        planned[name] = declaration
        return declaration
    }

    // MARK: Models

    private static func collectInlineModels(_ properties: [Property], into edges: inout Set<String>) {
        for property in properties {
            if case .model(let name) = property.schema.type { edges.insert(name) }
            if property.schema.type == .object, let nested = property.schema.properties {
                collectInlineModels(nested, into: &edges)
            }
        }
    }

    /// Whether `from` reaches `to` through models held inline.
    private func reaches(_ from: String, _ to: String) -> Bool {
        var seen: Set<String> = []
        var stack = [from]
        while let name = stack.popLast() {
            if name == to { return true }
            guard seen.insert(name).inserted else { continue }
            stack.append(contentsOf: inlineEdges[name] ?? [])
        }
        return false
    }

    private mutating func declaration(
        for model: ResolvedModel, named name: String, inherited: [String: String]
    )
        -> SwiftDeclaration
    {
        var doc = Self.paragraphs(model.description)
        if model.properties.isEmpty {
            switch model.additionalProperties {
            case .schema(let schema):
                var nested: [SwiftDeclaration] = []
                var taken = topLevelNames
                let value = swiftType(schema, hint: name + "Value", owner: model.name, nested: &nested, taken: &taken)
                declarations.append(contentsOf: nested)
                return .alias(name: name, doc: doc, target: "[Swift.String: \(value)]")
            case .allowed:
                return .alias(name: name, doc: doc, target: "[Swift.String: ZibriSchema.JSONValue]")
            case .forbidden:
                break
            }
        }
        if case .allowed = model.additionalProperties, !model.properties.isEmpty {
            doc.append("Other properties are allowed by the spec; this type keeps only the ones it names.")
        }
        let result = structure(
            named: name, doc: doc, properties: model.properties, owner: model.name, inherited: inherited)
        var types: [String: String] = [:]
        let nestedNames = Set(result.nested.map(\.name))
        for property in result.properties {
            types[property.jsonName] = SwiftNames.qualifying(nestedNames, in: property.type, with: name)
        }
        propertyTypes[model.name] = types
        return .structure(result)
    }

    private mutating func structure(
        named name: String, doc: [String], properties: [Property], owner: String, inherited: [String: String] = [:]
    ) -> SwiftStruct {
        var result = SwiftStruct(name: name, doc: doc, properties: [], nested: [])
        var memberNames: Set<String> = []
        // Nested types must not shadow a top-level type the properties may name.
        var nestedNames = topLevelNames.union([name, "CodingKeys"])
        for property in properties {
            let schema = property.schema
            let swiftName = SwiftNames.unique(SwiftNames.memberName(property.name), in: &memberNames)
            let type =
                inherited[property.name]
                ?? swiftType(
                    schema, hint: SwiftNames.typeName(property.name), owner: owner, nested: &result.nested,
                    taken: &nestedNames)
            var boxed = false
            if case .model(let target) = schema.type { boxed = reaches(target, owner) }
            let optional = !schema.required || schema.nullable
            result.properties.append(
                SwiftProperty(
                    jsonName: property.name, swiftName: swiftName, type: type,
                    optional: optional && !(schema.defaultValue != nil && !schema.nullable),
                    boxed: boxed, encodesNull: schema.required && schema.nullable,
                    defaultLiteral: schema.defaultValue.flatMap { Self.literal($0, schema: schema, type: type) },
                    doc: Self.paragraphs(schema.description) + Self.constraints(schema)))
        }
        return result
    }

    /// The Swift type of a schema; inline objects and string enums become nested declarations.
    private mutating func swiftType(
        _ schema: PropertySchema, hint: String, owner: String, nested: inout [SwiftDeclaration],
        taken: inout Set<String>
    ) -> String {
        switch schema.type {
        case .string:
            let members = (schema.enumValues ?? []).filter { $0 != .null }
            let strings = members.compactMap(\.stringValue)
            guard !strings.isEmpty, strings.count == members.count else { return "Swift.String" }
            let name = SwiftNames.unique(hint, in: &taken)
            var caseNames: Set<String> = []
            var cases: [(name: String, raw: String)] = []
            for raw in strings where !cases.contains(where: { $0.raw == raw }) {
                let candidate = raw.isEmpty ? "empty" : SwiftNames.memberName(raw)
                cases.append((SwiftNames.unique(candidate, in: &caseNames), raw))
            }
            nested.append(.enumeration(SwiftEnum(name: name, doc: [], cases: cases)))
            return name
        case .integer: return "Swift.Int"
        case .number: return "Swift.Double"
        case .boolean: return "Swift.Bool"
        case .date:
            usesDate = true
            return "Foundation.Date"
        case .any: return "ZibriSchema.JSONValue"
        case .model(let name): return modelTypeNames[name] ?? "ZibriSchema.JSONValue"
        case .array:
            guard let items = schema.items?.value else { return "[ZibriSchema.JSONValue]" }
            let itemHint = hint.hasSuffix("s") && hint.count > 1 ? String(hint.dropLast()) : hint + "Item"
            return "[\(swiftType(items, hint: itemHint, owner: owner, nested: &nested, taken: &taken))]"
        case .object:
            if let properties = schema.properties, !properties.isEmpty {
                let name = SwiftNames.unique(hint, in: &taken)
                nested.append(
                    .structure(structure(named: name, doc: [], properties: properties, owner: owner)))
                return name
            }
            if case .schema(let values)? = schema.additionalProperties?.value {
                let value = swiftType(values, hint: hint + "Value", owner: owner, nested: &nested, taken: &taken)
                return "[Swift.String: \(value)]"
            }
            return "[Swift.String: ZibriSchema.JSONValue]"
        }
    }

    /// A default as a Swift expression, where one is simple to write.
    private static func literal(_ value: JSONValue, schema: PropertySchema, type: String) -> String? {
        switch (schema.type, value) {
        case (.string, .string(let text)):
            guard type != "Swift.String" else { return SwiftNames.literal(text) }
            return "." + SwiftNames.declared(text.isEmpty ? "empty" : SwiftNames.memberName(text))
        case (.integer, .integer(let number)): return "\(number)"
        case (.number, .integer(let number)): return "\(number)"
        case (.number, .number(let number)): return "\(number)"
        case (.boolean, .bool(let flag)): return "\(flag)"
        default: return nil
        }
    }

    private static func paragraphs(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// The schema's constraints, for the doc comment: `minLength: 1, maxLength: 2000`.
    private static func constraints(_ schema: PropertySchema) -> [String] {
        var parts: [String] = []
        func add(_ key: String, _ value: (some CustomStringConvertible)?) {
            if let value { parts.append("\(key): \(value)") }
        }
        add("format", schema.format)
        add("minLength", schema.minLength)
        add("maxLength", schema.maxLength)
        if let pattern = schema.pattern {
            parts.append("pattern: `\(pattern.replacingOccurrences(of: "`", with: "'"))`")
        }
        add("minimum", schema.minimum)
        add("maximum", schema.maximum)
        add("exclusiveMinimum", schema.exclusiveMinimum)
        add("exclusiveMaximum", schema.exclusiveMaximum)
        add("multipleOf", schema.multipleOf)
        add("after", schema.after)
        add("before", schema.before)
        add("minItems", schema.minItems)
        add("maxItems", schema.maxItems)
        if schema.uniqueItems { parts.append("uniqueItems") }
        if let members = schema.enumValues, schema.type != .string {
            parts.append("enum: " + members.map(\.jsonText).joined(separator: ", "))
        }
        add("const", schema.constValue?.jsonText)
        add("default", schema.defaultValue?.jsonText)
        if !schema.required { parts.append("optional") }
        if schema.nullable { parts.append("nullable") }
        guard !parts.isEmpty else { return [] }
        return ["- Constraints: " + SwiftNames.docText(parts.joined(separator: ", "))]
    }

    // MARK: Handlers

    private mutating func planHandlers(_ spec: Spec) {
        var uses: [String: [SwiftHandler]] = [:]
        var order: [String] = []
        func add(_ handler: SwiftHandler) {
            if uses[handler.specName] == nil { order.append(handler.specName) }
            uses[handler.specName, default: []].append(handler)
        }
        for route in spec.http.routes {
            guard let name = route.handler?.value else { continue }
            let path = (spec.http.basePath?.value ?? "") + route.path
            let body = route.body.map { routeType($0, hint: name + "Body") } ?? "Zibri.NoBody"
            add(
                SwiftHandler(
                    specName: name, methodName: "", kind: .http, body: body,
                    response: route.response.map { routeType($0, hint: name + "Response") } ?? "Zibri.NoContent",
                    doc: ["`\(route.method) \(path)`"] + Self.paragraphs(route.summary),
                    input: routeInput(route, handler: name, path: path, body: body)))
        }
        if let websocket = spec.websocket {
            for route in websocket.routes {
                guard let name = route.handler?.value else { continue }
                add(
                    SwiftHandler(
                        specName: name, methodName: "", kind: .websocket,
                        body: route.body.map { routeType($0, hint: name + "Body") },
                        response: route.response.map { routeType($0, hint: name + "Response") },
                        doc: ["The WebSocket event `\(route.event)`."] + Self.paragraphs(route.description)))
            }
            if let name = websocket.isAllowedToConnect?.value {
                add(
                    SwiftHandler(
                        specName: name, methodName: "", kind: .connectPolicy, doc: ["`connection.isAllowedToConnect`."])
                )
            }
            for channel in websocket.channels {
                guard let name = channel.join?.value else { continue }
                add(
                    SwiftHandler(
                        specName: name, methodName: "", kind: .joinPolicy,
                        doc: ["The `join` policy of the channel `\(channel.pattern)`."]))
            }
            if let name = websocket.onConnect?.value {
                add(SwiftHandler(specName: name, methodName: "", kind: .onConnect, doc: ["`lifecycle.onConnect`."]))
            }
            if let name = websocket.onDisconnect?.value {
                add(
                    SwiftHandler(
                        specName: name, methodName: "", kind: .onDisconnect, doc: ["`lifecycle.onDisconnect`."]))
            }
        }
        var methodNames: Set<String> = ["init"]
        for name in order {
            guard var first = uses[name]?.first, let all = uses[name] else { continue }
            let agree = all.allSatisfy {
                $0.kind == first.kind && $0.body == first.body && $0.response == first.response
                    && $0.input == first.input
            }
            guard agree else {
                untypedHandlers.append(name)
                continue
            }
            first.methodName = SwiftNames.unique(SwiftNames.memberName(name), in: &methodNames)
            first.doc = all.flatMap(\.doc)
            handlers.append(first)
        }
    }

    /// The input type of a route with path or query parameters (nil without: the handler gets
    /// the runtime's `HTTPInput<Body>`). Undeclared path parameters are strings, as the runtime
    /// has them.
    private mutating func routeInput(_ route: HTTPRoute, handler: String, path: String, body: String) -> String? {
        let params = route.effectiveParams
        guard !params.isEmpty || !route.query.isEmpty else { return nil }
        let name = SwiftNames.unique(SwiftNames.typeName(handler) + "Input", in: &topLevelNames)
        let input = SwiftInput(
            name: name, doc: ["The validated request of `\(route.method) \(path)`."], body: body,
            params: params.isEmpty
                ? nil : structure(named: "Params", doc: ["The path parameters."], properties: params, owner: ""),
            query: route.query.isEmpty
                ? nil : structure(named: "Query", doc: ["The query parameters."], properties: route.query, owner: ""))
        declarations.append(.input(input))
        return name
    }

    /// The type of a route's body or response: a model's struct, or a declaration of its own.
    private mutating func routeType(_ schema: PropertySchema, hint: String) -> String {
        var nested: [SwiftDeclaration] = []
        var taken = topLevelNames
        let type = swiftType(schema, hint: SwiftNames.typeName(hint), owner: "", nested: &nested, taken: &taken)
        for declaration in nested {
            topLevelNames.insert(declaration.name)
            declarations.append(declaration)
        }
        return schema.nullable || !schema.required ? "\(type)?" : type
    }
}
