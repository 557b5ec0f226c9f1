public import Foundation

/// A named model (DTO) from `models:`.
public struct Model: Sendable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    /// Properties written on the model itself, in source order (for a derived model: the extra ones).
    public var properties: [Property]
    public var additionalProperties: AdditionalProperties
    public var derivation: Derivation?
    public var keyLocations: [String: SourceLocation]

    /// `from: Base` with `pick` / `omit` / `partial`.
    public struct Derivation: Sendable {
        public var base: Located<String>
        public var pick: [Located<String>]?
        public var omit: [Located<String>]?
        public var partial: Bool
    }
}

public struct Property: Sendable {
    public var name: String
    public var location: SourceLocation
    public var schema: PropertySchema

    public init(name: String, location: SourceLocation, schema: PropertySchema) {
        self.name = name
        self.location = location
        self.schema = schema
    }
}

public enum AdditionalProperties: Sendable {
    case forbidden
    case allowed
    case schema(PropertySchema)
}

/// The type of a property: a built-in type or a model's name.
public enum TypeName: Sendable, Hashable, CustomStringConvertible {
    case string, integer, number, boolean, date, array, object, any
    case model(String)

    public static let builtIn: [String: TypeName] = [
        "string": .string, "integer": .integer, "number": .number, "boolean": .boolean,
        "date": .date, "array": .array, "object": .object, "any": .any,
    ]

    public init(_ name: String) {
        self = TypeName.builtIn[name] ?? .model(name)
    }

    public var description: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .date: "date"
        case .array: "array"
        case .object: "object"
        case .any: "any"
        case .model(let name): name
        }
    }
}

/// The formats a `string` may declare.
public enum StringFormat: String, Sendable, Hashable, CaseIterable {
    case email, uuid, uri, dateTime = "date-time", date, ipv4, ipv6, hostname
}

/// A property schema: a type with its constraints. Also used for `body`, `response`,
/// parameters and list items.
public struct PropertySchema: Sendable {
    public var type: TypeName
    public var location: SourceLocation
    /// Where each key of the schema was written, for diagnostics about that key.
    public var keyLocations: [String: SourceLocation] = [:]

    public var required: Bool = true
    public var nullable: Bool = false
    public var defaultValue: JSONValue?
    public var description: String?
    public var example: JSONValue?
    public var enumValues: [JSONValue]?
    public var constValue: JSONValue?

    // Strings
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
    /// The format as written; `StringFormat(rawValue:)` is nil for an unknown one.
    public var format: String?

    // Numbers: decimals so that `multipleOf: 0.1` is exact.
    public var minimum: Decimal?
    public var maximum: Decimal?
    public var exclusiveMinimum: Decimal?
    public var exclusiveMaximum: Decimal?
    public var multipleOf: Decimal?

    // Dates, as written (ISO 8601).
    public var after: String?
    public var before: String?

    // Arrays
    public var items: Indirect<PropertySchema>?
    public var minItems: Int?
    public var maxItems: Int?
    public var uniqueItems: Bool = false

    // Inline objects
    public var properties: [Property]?
    public var additionalProperties: Indirect<AdditionalProperties>?

    public init(type: TypeName, location: SourceLocation) {
        self.type = type
        self.location = location
    }

    /// The location of `key` if it was written, else of the schema.
    public func location(of key: String) -> SourceLocation {
        keyLocations[key] ?? location
    }

    /// The constraint keys that apply only to some types, with those types, in a stable order.
    public static let typedKeys: [(key: String, types: Set<String>)] = [
        ("minLength", ["string"]), ("maxLength", ["string"]), ("pattern", ["string"]), ("format", ["string"]),
        ("minimum", ["integer", "number"]), ("maximum", ["integer", "number"]),
        ("exclusiveMinimum", ["integer", "number"]), ("exclusiveMaximum", ["integer", "number"]),
        ("multipleOf", ["integer", "number"]),
        ("after", ["date"]), ("before", ["date"]),
        ("items", ["array"]), ("minItems", ["array"]), ("maxItems", ["array"]), ("uniqueItems", ["array"]),
        ("properties", ["object"]), ("additionalProperties", ["object"]),
    ]
}

/// A box that lets value types nest (a list's `items` is itself a schema).
public final class Indirect<Value: Sendable>: Sendable {
    public let value: Value

    public init(_ value: Value) {
        self.value = value
    }
}
