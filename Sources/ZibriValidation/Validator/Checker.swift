import Foundation
import ZibriSchema

/// The validation rules, applied to a value and a compiled node. Returns the normalized value.
enum Checker {
    static func shorten(_ text: String, limit: Int = 40) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Checks `value` and, where the schema says so, normalizes it in place (fills defaults,
    /// turns date strings into dates). Containers are modified in place only on the paths that
    /// normalize; everything else is read without copying.
    static func check(_ value: inout JSONValue, _ node: SchemaNode, _ context: inout CheckContext, depth: Int) {
        if node.normalizes {
            normalize(&value, node, &context, depth: depth)
        } else {
            validate(value, node, &context, depth: depth)
        }
    }

    /// The read-only check, for schemas whose values never change.
    static func validate(_ value: JSONValue, _ node: SchemaNode, _ context: inout CheckContext, depth: Int) {
        guard checkScalarRules(value, node, &context) else { return }
        switch node.kind {
        case .array:
            guard case .array(let items) = value else {
                mismatch(value, node, &context)
                return
            }
            checkArrayBounds(items, node, &context)
            guard let itemNode = node.items, enter(depth, &context) else { break }
            for index in items.indices {
                context.path.append(.index(index))
                validate(items[index], itemNode, &context, depth: depth + 1)
                context.path.removeLast()
            }
        case .object, .reference:
            guard case .object(let members) = value else {
                mismatch(value, node, &context)
                return
            }
            guard let objectNode = node.kind == .object ? node : node.target, enter(depth, &context) else { break }
            validateMembers(members, objectNode, &context, depth: depth)
        default:
            break
        }
        checkChoices(value, node, &context)
    }

    /// The normalizing check, for schemas that fill defaults or hold dates somewhere.
    private static func normalize(
        _ value: inout JSONValue, _ node: SchemaNode, _ context: inout CheckContext, depth: Int
    ) {
        guard checkScalarRules(value, node, &context) else { return }
        checkChoices(value, node, &context)
        switch node.kind {
        case .date:
            if case .string(let text) = value, let date = ISO8601.parse(text) { value = .date(date) }
        case .array:
            guard case .array(var items) = value else {
                mismatch(value, node, &context)
                return
            }
            checkArrayBounds(items, node, &context)
            guard let itemNode = node.items, enter(depth, &context) else { break }
            value = .null  // release the enum's reference so `items` is modified in place
            for index in items.indices {
                context.path.append(.index(index))
                check(&items[index], itemNode, &context, depth: depth + 1)
                context.path.removeLast()
            }
            value = .array(items)
        case .object, .reference:
            guard case .object(var members) = value else {
                mismatch(value, node, &context)
                return
            }
            guard let objectNode = node.kind == .object ? node : node.target, enter(depth, &context) else { break }
            value = .null  // release the enum's reference so `members` is modified in place
            normalizeMembers(&members, objectNode, &context, depth: depth)
            value = .object(members)
        default:
            break
        }
    }

    /// The position of `key` among the object's properties. Small objects compare names
    /// directly, which is cheaper than hashing the key once more.
    @inline(__always)
    private static func position(of key: String, in node: SchemaNode) -> Int? {
        if node.properties.count <= 16 {
            for index in node.properties.indices where node.properties[index].name == key { return index }
            return nil
        }
        return node.propertyIndex[key]
    }

    /// Properties of an object, read-only. Walks the members once (no lookups by key) and
    /// reports the missing required properties after.
    private static func validateMembers(
        _ members: [String: JSONValue], _ node: SchemaNode, _ context: inout CheckContext, depth: Int
    ) {
        var present = PresenceSet(count: node.properties.count)
        var unknownKeys: [String] = []
        for (key, member) in members {
            if let index = position(of: key, in: node) {
                present.insert(index)
                context.path.append(.key(key))
                validate(member, node.properties[index].node, &context, depth: depth + 1)
                context.path.removeLast()
            } else {
                switch node.additional {
                case .allowed: break
                case .forbidden, .schema: unknownKeys.append(key)
                }
            }
        }
        for (index, property) in node.properties.enumerated()
        where property.required && property.node.defaultValue == nil && !present.contains(index) {
            missing(property.name, &context)
        }
        for key in unknownKeys.sorted() {
            context.path.append(.key(key))
            if case .schema(let extra) = node.additional {
                validate(members[key]!, extra, &context, depth: depth + 1)
            } else {
                unknown(key, &context)
            }
            context.path.removeLast()
        }
    }

    /// Properties of an object, normalized in place: members are changed through their
    /// dictionary index (no rehashing), and defaults are added for absent properties.
    private static func normalizeMembers(
        _ members: inout [String: JSONValue], _ node: SchemaNode, _ context: inout CheckContext, depth: Int
    ) {
        var present = PresenceSet(count: node.properties.count)
        var unknownKeys: [String] = []
        var index = members.startIndex
        while index != members.endIndex {
            let key = members.keys[index]
            if let position = position(of: key, in: node) {
                present.insert(position)
                context.path.append(.key(key))
                check(&members.values[index], node.properties[position].node, &context, depth: depth + 1)
                context.path.removeLast()
            } else {
                switch node.additional {
                case .allowed: break
                case .forbidden: unknownKeys.append(key)
                case .schema(let extra):
                    unknownKeys.append(key)
                    context.path.append(.key(key))
                    check(&members.values[index], extra, &context, depth: depth + 1)
                    context.path.removeLast()
                }
            }
            members.formIndex(after: &index)
        }
        for (position, property) in node.properties.enumerated() where !present.contains(position) {
            if let fallback = property.node.defaultValue {
                members[property.name] = fallback
            } else if property.required {
                missing(property.name, &context)
            }
        }
        if case .forbidden = node.additional {
            for key in unknownKeys.sorted() {
                context.path.append(.key(key))
                unknown(key, &context)
                context.path.removeLast()
            }
        }
    }

    private static func enter(_ depth: Int, _ context: inout CheckContext) -> Bool {
        guard depth < context.maxDepth else {
            context.add("depth", "nests deeper than \(context.maxDepth) levels")
            return false
        }
        return true
    }

    private static func missing(_ name: String, _ context: inout CheckContext) {
        context.path.append(.key(name))
        context.add("required", "is required")
        context.path.removeLast()
    }

    private static func unknown(_ key: String, _ context: inout CheckContext) {
        context.add("additionalProperties", "is not allowed: '\(shorten(key))' is not a property")
    }

    /// Null, type and the rules of scalar types. False when the value's type is wrong (or it
    /// is an allowed null), so the container rules are skipped.
    private static func checkScalarRules(_ value: JSONValue, _ node: SchemaNode, _ context: inout CheckContext) -> Bool
    {
        if case .null = value {
            if !node.nullable && node.kind != .any {
                context.add("type", "must be \(node.typeDescription), is null")
            }
            return false
        }
        switch node.kind {
        case .any, .array, .object, .reference:
            return true
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
                    return false
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
        }
        return true
    }

    /// `enum` and `const`, on the value as the client sent it.
    private static func checkChoices(_ value: JSONValue, _ node: SchemaNode, _ context: inout CheckContext) {
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
    }

    @discardableResult
    private static func mismatch(_ value: JSONValue, _ node: SchemaNode, _ context: inout CheckContext) -> Bool {
        let found: String
        switch value {
        case .string: found = context.describe(value)
        case .integer, .number: found = "the number \(context.redactValues ? "(hidden)" : shorten(value.jsonText))"
        case .bool(let flag): found = context.redactValues ? "a boolean" : "\(flag)"
        default: found = context.describe(value)
        }
        context.add("type", "must be \(node.typeDescription), is \(found)")
        return false
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

    private static func checkArrayBounds(_ items: [JSONValue], _ node: SchemaNode, _ context: inout CheckContext) {
        if let minimum = node.minItems, items.count < minimum {
            context.add("minItems", "must have at least \(plural(minimum, "item")), has \(items.count)")
        }
        if let maximum = node.maxItems, items.count > maximum {
            context.add("maxItems", "must have at most \(plural(maximum, "item")), has \(items.count)")
        }
        if node.uniqueItems, items.count > 1 {
            checkUnique(items, &context)
        }
    }

    private static func checkUnique(_ items: [JSONValue], _ context: inout CheckContext) {
        // Few items: compare pairwise, which is cheaper than hashing them.
        if items.count <= 8 {
            for index in 1..<items.count {
                if let first = items[..<index].firstIndex(of: items[index]) {
                    context.path.append(.index(index))
                    context.add("uniqueItems", "must be unique, equals item \(first)")
                    context.path.removeLast()
                }
            }
            return
        }
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

}

/// Which properties of an object were present: a bit set, on the stack for up to 64 properties.
private struct PresenceSet {
    private var small: UInt64 = 0
    private var large: [Bool]?

    init(count: Int) {
        if count > 64 { large = [Bool](repeating: false, count: count) }
    }

    mutating func insert(_ index: Int) {
        if large != nil { large![index] = true } else { small |= 1 << UInt64(index) }
    }

    func contains(_ index: Int) -> Bool {
        if let large { return large[index] }
        return small & (1 << UInt64(index)) != 0
    }
}
