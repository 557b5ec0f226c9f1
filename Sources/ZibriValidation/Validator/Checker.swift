import Foundation
import ZibriSchema

/// The state of one validation: where we are (a path, rendered into a JSON pointer only when
/// a problem is found) and what was found.
struct CheckContext {
    enum PathComponent {
        case key(String)
        case index(Int)
    }

    var path: [PathComponent] = []
    var problems: [ValidationProblem] = []
    var truncated = false
    let maxProblems: Int
    let maxDepth: Int
    /// Set while checking a value that must never appear in a message (a secret-looking header).
    var redactValues = false
    /// A pointer prefix such as `/query`, for parameters.
    var pointerPrefix = ""

    init(maxProblems: Int, maxDepth: Int) {
        self.maxProblems = maxProblems
        self.maxDepth = maxDepth
    }

    var pointer: String {
        var pointer = pointerPrefix
        for component in path {
            switch component {
            case .key(let key): pointer = JSONPointer.appending(key, to: pointer)
            case .index(let index): pointer += "/\(index)"
            }
        }
        return pointer
    }

    mutating func add(_ code: String, _ message: String) {
        guard problems.count < maxProblems else {
            truncated = true
            return
        }
        problems.append(ValidationProblem(pointer: pointer, code: code, message: message))
    }

    /// A value for a message: short scalars as themselves, other values by their type.
    func describe(_ value: JSONValue) -> String {
        if redactValues {
            return "a value of type \(value.typeName)"
        }
        switch value {
        case .string(let text): return "the string \(JSONValue.string(Checker.shorten(text)).jsonText)"
        case .integer, .number, .bool: return Checker.shorten(value.jsonText)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        case .date: return "a date"
        }
    }
}

/// The validation rules, applied to a value and a compiled node. Returns the normalized value.
enum Checker {
    static func shorten(_ text: String, limit: Int = 40) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    static func check(_ value: JSONValue, _ node: SchemaNode, _ context: inout CheckContext, depth: Int) -> JSONValue {
        if case .null = value {
            if !node.nullable && node.kind != .any {
                context.add("type", "must be \(node.typeDescription), is null")
            }
            return value
        }
        var result = value
        switch node.kind {
        case .any:
            break
        case .string:
            guard case .string(let text) = value else { return mismatch(value, node, &context) }
            checkString(text, node, &context)
        case .integer:
            switch value {
            case .integer: break
            case .number(let number):
                guard number.rounded(.towardZero) == number else { return mismatch(value, node, &context) }
                guard abs(number) < 9.223_372_036_854_775_807e18 else {
                    context.add("type", "must be an integer within 64 bits, is \(context.describe(value))")
                    return value
                }
            default: return mismatch(value, node, &context)
            }
            checkNumber(value, node, &context)
        case .number:
            switch value {
            case .integer, .number: checkNumber(value, node, &context)
            default: return mismatch(value, node, &context)
            }
        case .boolean:
            guard case .bool = value else { return mismatch(value, node, &context) }
        case .date:
            let date: Date
            switch value {
            case .date(let existing): date = existing
            case .string(let text):
                guard let parsed = ISO8601.parse(text) else { return mismatch(value, node, &context) }
                date = parsed
            default: return mismatch(value, node, &context)
            }
            if let after = node.after, date <= after.date { context.add("after", "must be after \(after.text)") }
            if let before = node.before, date >= before.date { context.add("before", "must be before \(before.text)") }
            result = .date(date)
        case .array:
            guard case .array(let items) = value else { return mismatch(value, node, &context) }
            result = checkArray(items, node, &context, depth: depth)
        case .object:
            guard case .object(let members) = value else { return mismatch(value, node, &context) }
            result = checkObject(members, node, &context, depth: depth)
        case .reference:
            guard case .object(let members) = value else { return mismatch(value, node, &context) }
            // An unresolved model was reported by the linter; accept anything rather than crash.
            guard let target = node.target else { break }
            result = checkObject(members, target, &context, depth: depth)
        }
        if let members = node.enumValues {
            let found = node.enumSet.map { $0.contains(value) } ?? members.contains(value)
            if !found {
                let list = members.prefix(10).map { shorten($0.jsonText) }.joined(separator: ", ")
                context.add(
                    "enum", "must be one of \(list)\(members.count > 10 ? ", …" : ""), is \(context.describe(value))")
            }
        }
        if let constant = node.constValue, constant != value {
            context.add("const", "must be \(shorten(constant.jsonText)), is \(context.describe(value))")
        }
        return result
    }

    private static func mismatch(_ value: JSONValue, _ node: SchemaNode, _ context: inout CheckContext) -> JSONValue {
        let found: String
        switch value {
        case .string: found = context.describe(value)
        case .integer, .number: found = "the number \(context.redactValues ? "(hidden)" : shorten(value.jsonText))"
        case .bool(let flag): found = context.redactValues ? "a boolean" : "\(flag)"
        default: found = context.describe(value)
        }
        context.add("type", "must be \(node.typeDescription), is \(found)")
        return value
    }

    private static func checkString(_ text: String, _ node: SchemaNode, _ context: inout CheckContext) {
        if node.minLength != nil || node.maxLength != nil {
            // JSON Schema counts Unicode scalar values (code points), not grapheme clusters.
            let byteCount = text.utf8.count
            // Each scalar is 1 to 4 UTF-8 bytes: skip counting when the byte count decides.
            let fitsMin = node.minLength.map { byteCount / 4 >= $0 } ?? true
            let fitsMax = node.maxLength.map { byteCount <= $0 } ?? true
            if !(fitsMin && fitsMax) {
                let length = text.unicodeScalars.count
                if let minimum = node.minLength, length < minimum {
                    context.add("minLength", "must be at least \(plural(minimum, "character")) long, is \(length)")
                }
                if let maximum = node.maxLength, length > maximum {
                    context.add("maxLength", "must be at most \(plural(maximum, "character")) long, is \(length)")
                }
            }
        }
        if let pattern = node.pattern, !pattern.matches(text) {
            context.add("pattern", "must match the pattern \(shorten(pattern.source))")
        }
        if let format = node.format, !FormatCheck.matches(text, format) {
            context.add("format", "must be a valid \(format.rawValue), is \(context.describe(.string(text)))")
        }
    }

    private static func checkNumber(_ value: JSONValue, _ node: SchemaNode, _ context: inout CheckContext) {
        let number: Double
        switch value {
        case .integer(let integer): number = Double(integer)
        case .number(let double): number = double
        default: return
        }
        let shown = context.redactValues ? "" : ", is \(shorten(value.jsonText))"
        if let bound = node.minimum, number < bound.value {
            context.add("minimum", "must be at least \(bound.text)\(shown)")
        }
        if let bound = node.maximum, number > bound.value {
            context.add("maximum", "must be at most \(bound.text)\(shown)")
        }
        if let bound = node.exclusiveMinimum, number <= bound.value {
            context.add("exclusiveMinimum", "must be greater than \(bound.text)\(shown)")
        }
        if let bound = node.exclusiveMaximum, number >= bound.value {
            context.add("exclusiveMaximum", "must be less than \(bound.text)\(shown)")
        }
        if let divisor = node.multipleOf {
            let isMultiple: Bool
            if let whole = node.integerMultipleOf, case .integer(let integer) = value {
                isMultiple = integer % whole == 0
            } else {
                isMultiple = isMultipleExactly(value, of: divisor)
            }
            if !isMultiple {
                context.add("multipleOf", "must be a multiple of \(divisor)\(shown)")
            }
        }
    }

    /// Decimal arithmetic on the number's shortest representation, so 0.3 is a multiple of 0.1.
    static func isMultipleExactly(_ value: JSONValue, of divisor: Decimal) -> Bool {
        let decimal: Decimal?
        switch value {
        case .integer(let integer): decimal = Decimal(integer)
        case .number(let double): decimal = Decimal(string: "\(double)", locale: Locale(identifier: "en_US_POSIX"))
        default: decimal = nil
        }
        guard let decimal else { return false }
        var quotient = decimal / divisor
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, .plain)
        return rounded == quotient
    }

    private static func checkArray(
        _ items: [JSONValue], _ node: SchemaNode, _ context: inout CheckContext, depth: Int
    ) -> JSONValue {
        if let minimum = node.minItems, items.count < minimum {
            context.add("minItems", "must have at least \(plural(minimum, "item")), has \(items.count)")
        }
        if let maximum = node.maxItems, items.count > maximum {
            context.add("maxItems", "must have at most \(plural(maximum, "item")), has \(items.count)")
        }
        if node.uniqueItems, items.count > 1 {
            var seen: [JSONValue: Int] = [:]
            seen.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                if let first = seen.updateValue(index, forKey: item) {
                    seen[item] = first
                    context.path.append(.index(index))
                    context.add("uniqueItems", "must be unique, equals item \(first)")
                    context.path.removeLast()
                }
            }
        }
        guard let itemNode = node.items else { return .array(items) }
        guard depth < context.maxDepth else {
            context.add("depth", "nests deeper than \(context.maxDepth) levels")
            return .array(items)
        }
        if itemNode.normalizes {
            var normalized = items
            for index in items.indices {
                context.path.append(.index(index))
                normalized[index] = check(items[index], itemNode, &context, depth: depth + 1)
                context.path.removeLast()
            }
            return .array(normalized)
        }
        for index in items.indices {
            context.path.append(.index(index))
            _ = check(items[index], itemNode, &context, depth: depth + 1)
            context.path.removeLast()
        }
        return .array(items)
    }

    private static func checkObject(
        _ members: [String: JSONValue], _ node: SchemaNode, _ context: inout CheckContext, depth: Int
    ) -> JSONValue {
        guard depth < context.maxDepth else {
            context.add("depth", "nests deeper than \(context.maxDepth) levels")
            return .object(members)
        }
        var result = members
        var knownPresent = 0
        for property in node.properties {
            if let member = members[property.name] {
                knownPresent += 1
                context.path.append(.key(property.name))
                let checked = check(member, property.node, &context, depth: depth + 1)
                context.path.removeLast()
                if property.node.normalizes { result[property.name] = checked }
            } else if let value = property.node.defaultValue {
                result[property.name] = value
            } else if property.required {
                context.path.append(.key(property.name))
                context.add("required", "is required")
                context.path.removeLast()
            }
        }
        guard members.count > knownPresent else { return .object(result) }
        switch node.additional {
        case .allowed:
            break
        case .forbidden:
            for key in members.keys.sorted() where node.propertyIndex[key] == nil {
                context.path.append(.key(key))
                context.add("additionalProperties", "is not allowed: '\(shorten(key))' is not a property")
                context.path.removeLast()
            }
        case .schema(let extra):
            for key in members.keys.sorted() where node.propertyIndex[key] == nil {
                context.path.append(.key(key))
                let checked = check(members[key]!, extra, &context, depth: depth + 1)
                context.path.removeLast()
                if extra.normalizes { result[key] = checked }
            }
        }
        return .object(result)
    }
}
