import Foundation
public import ZibriSchema

/// Validates JSON values against a property schema and the spec's resolved models.
///
/// Built once per schema; `validate` collects every problem, up to `maxProblems`.
public struct SchemaValidator: Sendable {
    public let schema: PropertySchema
    let models: [String: ResolvedModel]
    public var maxDepth = 64
    public var maxProblems = 100

    public init(schema: PropertySchema, models: [String: ResolvedModel]) {
        self.schema = schema
        self.models = models
    }

    public func validate(_ value: JSONValue) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        check(value, against: schema, at: "", depth: 0, into: &problems)
        return problems
    }

    private func add(_ problems: inout [ValidationProblem], _ pointer: String, _ code: String, _ message: String) {
        guard problems.count < maxProblems else { return }
        problems.append(ValidationProblem(pointer: pointer, code: code, message: message))
    }

    func check(
        _ value: JSONValue, against schema: PropertySchema, at pointer: String, depth: Int,
        into problems: inout [ValidationProblem]
    ) {
        guard depth <= maxDepth else {
            add(&problems, pointer, "depth", "nests deeper than \(maxDepth) levels")
            return
        }
        if value == .null {
            if !schema.nullable && schema.type != .any {
                add(&problems, pointer, "type", "must be \(Self.article(schema.type)), is null")
            }
            return
        }
        switch schema.type {
        case .any:
            break
        case .string:
            guard case .string(let text) = value else { return typeMismatch(value, schema, pointer, &problems) }
            checkString(text, schema, pointer, &problems)
        case .integer:
            guard let number = value.doubleValue, number.rounded() == number else {
                return typeMismatch(value, schema, pointer, &problems)
            }
            checkNumber(value, schema, pointer, &problems)
        case .number:
            guard value.doubleValue != nil else { return typeMismatch(value, schema, pointer, &problems) }
            checkNumber(value, schema, pointer, &problems)
        case .boolean:
            guard case .bool = value else { return typeMismatch(value, schema, pointer, &problems) }
        case .date:
            guard case .string(let text) = value, let date = ISO8601.parse(text) else {
                return add(
                    &problems, pointer, "type", "must be an ISO 8601 date or date-time, is \(Self.describe(value))")
            }
            if let after = schema.after.flatMap(ISO8601.parse), date <= after {
                add(&problems, pointer, "after", "must be after \(schema.after!)")
            }
            if let before = schema.before.flatMap(ISO8601.parse), date >= before {
                add(&problems, pointer, "before", "must be before \(schema.before!)")
            }
        case .array:
            guard case .array(let items) = value else { return typeMismatch(value, schema, pointer, &problems) }
            checkArray(items, schema, pointer, depth, &problems)
        case .object:
            guard case .object(let members) = value else { return typeMismatch(value, schema, pointer, &problems) }
            checkObject(
                members, properties: schema.properties ?? [],
                additional: schema.additionalProperties?.value ?? (schema.properties == nil ? .allowed : .forbidden),
                pointer, depth, &problems)
        case .model(let name):
            guard case .object(let members) = value else { return typeMismatch(value, schema, pointer, &problems) }
            guard let model = models[name] else { return }
            checkObject(
                members, properties: model.properties, additional: model.additionalProperties, pointer, depth, &problems
            )
        }
        if let members = schema.enumValues, !members.contains(value) {
            add(
                &problems, pointer, "enum",
                "must be one of \(members.map { Self.shorten($0.jsonText) }.joined(separator: ", ")), is \(Self.describe(value))"
            )
        }
        if let constant = schema.constValue, constant != value {
            add(&problems, pointer, "const", "must be \(Self.shorten(constant.jsonText)), is \(Self.describe(value))")
        }
    }

    private func typeMismatch(
        _ value: JSONValue, _ schema: PropertySchema, _ pointer: String, _ problems: inout [ValidationProblem]
    ) {
        add(&problems, pointer, "type", "must be \(Self.article(schema.type)), is \(Self.describe(value))")
    }

    private func checkString(
        _ text: String, _ schema: PropertySchema, _ pointer: String, _ problems: inout [ValidationProblem]
    ) {
        // JSON Schema counts Unicode scalar values (code points), not grapheme clusters.
        let length = text.unicodeScalars.count
        if let minimum = schema.minLength, length < minimum {
            add(&problems, pointer, "minLength", "must be at least \(minimum) characters long, is \(length)")
        }
        if let maximum = schema.maxLength, length > maximum {
            add(&problems, pointer, "maxLength", "must be at most \(maximum) characters long, is \(length)")
        }
        if let pattern = schema.pattern, let regex = try? Regex(pattern), (try? regex.firstMatch(in: text)) == nil {
            add(&problems, pointer, "pattern", "must match the pattern \(pattern)")
        }
        if let format = schema.format.flatMap(StringFormat.init(rawValue:)), !FormatCheck.matches(text, format) {
            add(&problems, pointer, "format", "must be a valid \(format.rawValue), is \(Self.describe(.string(text)))")
        }
    }

    private func checkNumber(
        _ value: JSONValue, _ schema: PropertySchema, _ pointer: String, _ problems: inout [ValidationProblem]
    ) {
        guard let number = Self.decimal(value) else { return }
        if let minimum = schema.minimum, number < minimum {
            add(&problems, pointer, "minimum", "must be at least \(minimum), is \(number)")
        }
        if let maximum = schema.maximum, number > maximum {
            add(&problems, pointer, "maximum", "must be at most \(maximum), is \(number)")
        }
        if let minimum = schema.exclusiveMinimum, number <= minimum {
            add(&problems, pointer, "exclusiveMinimum", "must be greater than \(minimum), is \(number)")
        }
        if let maximum = schema.exclusiveMaximum, number >= maximum {
            add(&problems, pointer, "exclusiveMaximum", "must be less than \(maximum), is \(number)")
        }
        if let divisor = schema.multipleOf {
            var quotient = number / divisor
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, 0, .plain)
            if rounded != quotient {
                add(&problems, pointer, "multipleOf", "must be a multiple of \(divisor), is \(number)")
            }
        }
    }

    private func checkArray(
        _ items: [JSONValue], _ schema: PropertySchema, _ pointer: String, _ depth: Int,
        _ problems: inout [ValidationProblem]
    ) {
        if let minimum = schema.minItems, items.count < minimum {
            add(&problems, pointer, "minItems", "must have at least \(minimum) items, has \(items.count)")
        }
        if let maximum = schema.maxItems, items.count > maximum {
            add(&problems, pointer, "maxItems", "must have at most \(maximum) items, has \(items.count)")
        }
        if schema.uniqueItems {
            var seen: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                if let first = seen[item] {
                    add(&problems, pointer + "/\(index)", "uniqueItems", "must be unique, equals item \(first)")
                } else {
                    seen[item] = index
                }
            }
        }
        if let itemSchema = schema.items?.value {
            for (index, item) in items.enumerated() {
                check(item, against: itemSchema, at: pointer + "/\(index)", depth: depth + 1, into: &problems)
            }
        }
    }

    private func checkObject(
        _ members: [String: JSONValue], properties: [Property], additional: AdditionalProperties, _ pointer: String,
        _ depth: Int, _ problems: inout [ValidationProblem]
    ) {
        for property in properties {
            let childPointer = JSONPointer.appending(property.name, to: pointer)
            if let member = members[property.name] {
                check(member, against: property.schema, at: childPointer, depth: depth + 1, into: &problems)
            } else if property.schema.required {
                add(&problems, childPointer, "required", "is required")
            }
        }
        let known = Set(properties.map(\.name))
        for key in members.keys.sorted() where !known.contains(key) {
            let childPointer = JSONPointer.appending(key, to: pointer)
            switch additional {
            case .allowed: break
            case .forbidden:
                add(
                    &problems, childPointer, "additionalProperties",
                    "is not allowed: '\(Self.shorten(key))' is not a property")
            case .schema(let schema):
                check(members[key]!, against: schema, at: childPointer, depth: depth + 1, into: &problems)
            }
        }
    }

    // MARK: Messages

    static func article(_ type: TypeName) -> String {
        switch type {
        case .integer, .array, .object, .any: "an \(type)"
        case .model(let name): "an object (\(name))"
        default: "a \(type)"
        }
    }

    /// A value for a message: its type, and short strings and numbers themselves.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "the string \(shorten(JSONValue.string(text).jsonText))"
        case .integer, .number, .bool: value.jsonText
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }

    static func shorten(_ text: String, limit: Int = 40) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    static func decimal(_ value: JSONValue) -> Decimal? {
        switch value {
        case .integer(let integer): Decimal(integer)
        // The shortest representation that round-trips, so 0.3 is 0.3 and not 0.29999….
        case .number(let double): Decimal(string: "\(double)", locale: Locale(identifier: "en_US_POSIX"))
        default: nil
        }
    }
}
