public import ZibriSchema

/// Validates text parameters (path, query, headers) after coercing each to its declared type:
/// `"12"` to 12, `true`/`false`/`1`/`0` to booleans, repeated keys or comma lists to arrays
/// (a repeated key of any other type is a `repeated` problem).
/// A value that cannot be coerced stays text, so the check reports a `type` problem at its
/// pointer. Unknown parameters are ignored; header names compare case-insensitively, and
/// secret-looking headers never have their values echoed in messages.
public struct ParameterValidator: Sendable {
    struct Parameter {
        let name: String
        let lookupName: String
        let node: SchemaNode
        let required: Bool
        let secret: Bool
    }

    let location: ParameterLocation
    let parameters: [Parameter]
    /// Keeps the nodes the parameters reach through model references alive.
    let graph: SchemaGraph
    public let maxProblems = 100

    /// True when no parameters are declared: there is nothing to read or check.
    public var isEmpty: Bool { parameters.isEmpty }

    /// The declared parameter names, in spec order.
    public var names: [String] { parameters.map(\.name) }

    init(location: ParameterLocation, properties: [Property], compiler: inout SchemaCompiler) {
        self.location = location
        self.graph = compiler.graph
        self.parameters = properties.map { property in
            let lookup = location == .headers ? property.name.lowercased() : property.name
            return Parameter(
                name: property.name, lookupName: lookup, node: compiler.node(for: property.schema),
                required: property.schema.required,
                secret: location == .headers && Self.looksSecret(lookup))
        }
    }

    static func looksSecret(_ name: String) -> Bool {
        ["authorization", "cookie", "token", "secret", "password", "key", "signature", "session", "credential"]
            .contains { name.contains($0) }
    }

    /// `values` maps each name (for headers: lowercased) to every value it was given, in order.
    public func validate(_ values: [String: [String]]) throws(ValidationFailure) -> JSONValue {
        var context = CheckContext(maxProblems: maxProblems, maxDepth: 64)
        context.pointerPrefix = "/" + location.rawValue
        var result: [String: JSONValue] = [:]
        for parameter in parameters {
            context.path = [.key(parameter.name)]
            context.redactValues = parameter.secret
            guard let texts = values[parameter.lookupName], !texts.isEmpty else {
                if let value = parameter.node.defaultValue {
                    result[parameter.name] = value
                } else if parameter.required {
                    context.add("required", "is required")
                }
                continue
            }
            // `?limit=5&limit=abc`: which one the handler would see is a guess, so neither.
            if texts.count > 1, Self.kind(of: parameter.node) != .array {
                context.add("repeated", "is given \(texts.count) times; one value is expected")
                continue
            }
            var value = Self.coerce(texts, to: parameter.node)
            Checker.check(&value, parameter.node, &context, depth: 0)
            result[parameter.name] = value
        }
        guard context.problems.isEmpty else {
            throw ValidationFailure(problems: context.problems, truncated: context.truncated)
        }
        return .object(result)
    }

    static func kind(of node: SchemaNode) -> SchemaNode.Kind {
        node.kind == .reference ? (node.target?.kind ?? .any) : node.kind
    }

    static func coerce(_ texts: [String], to node: SchemaNode) -> JSONValue {
        let kind = kind(of: node)
        switch kind {
        case .array:
            let parts =
                texts.count == 1 && texts[0].contains(",")
                ? texts[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : texts
            guard let items = node.items else { return .array(parts.map(JSONValue.string)) }
            return .array(parts.map { coerce([$0], to: items) })
        case .object:
            // Structured values in a parameter are JSON text.
            return (try? JSONParser().parse(texts[0])) ?? .string(texts[0])
        default:
            return coerceScalar(texts[0], kind)
        }
    }

    static func coerceScalar(_ text: String, _ kind: SchemaNode.Kind) -> JSONValue {
        switch kind {
        case .integer, .number:
            if let integer = Int(text) { return .integer(integer) }
            // Plain decimal notation only: not "inf", "nan" or hexadecimal.
            if text.allSatisfy({ "0123456789.-+eE".contains($0) }), let number = Double(text), number.isFinite {
                return .number(number)
            }
        case .boolean:
            switch text {
            case "true", "1": return .bool(true)
            case "false", "0": return .bool(false)
            default: break
            }
        default:
            break
        }
        return .string(text)
    }
}

extension CompiledSpec {
    /// A validator for parameters declared as `properties`, e.g. a route's `query`.
    public func parameterValidator(for properties: [Property], in location: ParameterLocation) -> ParameterValidator {
        var compiler = SchemaCompiler(models: models)
        let validator = ParameterValidator(location: location, properties: properties, compiler: &compiler)
        compiler.finish()
        return validator
    }
}
