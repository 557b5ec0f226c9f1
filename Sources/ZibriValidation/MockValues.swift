import Foundation
package import ZibriSchema

/// Values that satisfy a schema, for `zibri serve --mock`: the schema's `example` where it has
/// one, else its `const`, first `enum` member or `default`, else a value built from the
/// constraints (a string the `pattern` matches, a number inside the bounds and a multiple of
/// `multipleOf`, every property of an object). The result is checked by the schema's own
/// validator, so a value that cannot be built is reported, never served by surprise.
package struct MockValues {
    let compiled: CompiledSpec
    /// Models nest this deep with every property; deeper, only required ones (recursive
    /// models end there, as the linter guarantees a required cycle cannot exist).
    static let fullDepth = 3

    package init(_ compiled: CompiledSpec) {
        self.compiled = compiled
    }

    /// A value for `schema`, and the validation failure when the value does not satisfy it.
    package func value(for schema: PropertySchema) -> (value: JSONValue, failure: ValidationFailure?) {
        let value = generate(schema, name: nil, depth: 0)
        do {
            _ = try compiled.validator(for: schema).validate(value)
            return (value, nil)
        } catch let error as ValidationFailure {
            return (value, error)
        } catch {
            return (value, nil)  // the schema did not compile; the linter has said so already
        }
    }

    func generate(_ schema: PropertySchema, name: String?, depth: Int) -> JSONValue {
        if let example = schema.example { return example }
        if let constant = schema.constValue { return constant }
        if let first = schema.enumValues?.first { return first }
        if let value = schema.defaultValue { return value }
        switch schema.type {
        case .string: return .string(string(schema, name: name))
        case .integer, .number: return number(schema)
        case .boolean: return true
        case .date: return .string(date(schema))
        case .any: return [:]
        case .array:
            let wanted = depth < Self.fullDepth ? 1 : 0
            let count = min(max(schema.minItems ?? 0, wanted), schema.maxItems ?? Int.max)
            let item = schema.items?.value ?? PropertySchema(type: .any, location: schema.location)
            return .array(
                (0..<count).map { index in
                    let value = generate(item, name: name, depth: depth + 1)
                    // Unique items: numbers and strings can be told apart by their position.
                    guard schema.uniqueItems, index > 0 else { return value }
                    switch value {
                    case .integer(let number): return .integer(number + index)
                    case .string(let text): return .string(text + "\(index)")
                    default: return value
                    }
                })
        case .object:
            return object(schema.properties ?? [], depth: depth)
        case .model(let modelName):
            guard let model = compiled.models[modelName] else { return [:] }
            return object(model.properties, depth: depth)
        }
    }

    func object(_ properties: [Property], depth: Int) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for property in properties where property.schema.required || depth < Self.fullDepth {
            members[property.name] = generate(property.schema, name: property.name, depth: depth + 1)
        }
        return .object(members)
    }

    func string(_ schema: PropertySchema, name: String?) -> String {
        if let format = schema.format.flatMap(StringFormat.init(rawValue:)) {
            switch format {
            case .email: return "user@example.com"
            case .uuid: return "3f2b8c1e-6d4a-4b7e-9a1c-2e5f7d8b9c0a"
            case .uri: return "https://example.com/"
            case .dateTime: return "2024-01-01T12:00:00Z"
            case .date: return "2024-01-01"
            case .ipv4: return "192.0.2.1"
            case .ipv6: return "2001:db8::1"
            case .hostname: return "example.com"
            }
        }
        let lengths = (schema.minLength ?? 0)...(schema.maxLength ?? Int.max)
        if let pattern = schema.pattern {
            // More repetitions until the length fits: `^[a-z]+$` with minLength 5 is "aaaaa".
            for extra in 0...min(lengths.lowerBound + 1, 64) {
                if let text = ECMAPattern.sample(of: pattern, extra: extra),
                    lengths.contains(text.unicodeScalars.count)
                {
                    return text
                }
            }
            return ECMAPattern.sample(of: pattern) ?? ""
        }
        var text = String((name ?? "string").unicodeScalars.prefix(lengths.upperBound))
        while text.unicodeScalars.count < lengths.lowerBound { text += "x" }
        return text
    }

    func number(_ schema: PropertySchema) -> JSONValue {
        let step = schema.multipleOf ?? 1
        var value: Decimal
        if let minimum = schema.minimum {
            value = minimum
        } else if let bound = schema.exclusiveMinimum {
            value = bound + (schema.type == .integer ? 1 : step)
        } else if let maximum = schema.maximum ?? schema.exclusiveMaximum, maximum < 1 {
            value = maximum - (schema.maximum == nil ? step : 0)
        } else {
            value = 1
        }
        if schema.multipleOf != nil {
            // The first multiple at or above the value (below it when the bounds are above).
            var quotient = value / step
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, 0, .up)
            value = rounded * step
            if let bound = schema.exclusiveMinimum, value <= bound { value += step }
            if let maximum = schema.maximum, value > maximum { value -= step }
        }
        if schema.type == .integer {
            return .integer(NSDecimalNumber(decimal: value).intValue)
        }
        let double = NSDecimalNumber(decimal: value).doubleValue
        return Int(exactly: double).map(JSONValue.integer) ?? .number(double)
    }

    func date(_ schema: PropertySchema) -> String {
        let day: TimeInterval = 86_400
        let after = schema.after.flatMap(ISO8601.parse)
        let before = schema.before.flatMap(ISO8601.parse)
        let date: Date
        switch (after, before) {
        case (let after?, let before?): date = after + (before.timeIntervalSince(after) / 2)
        case (let after?, nil): date = after + day
        case (nil, let before?): date = before - day
        case (nil, nil): date = Date(timeIntervalSince1970: 1_704_110_400)  // 2024-01-01T12:00:00Z
        }
        return ISO8601.format(date)
    }
}
