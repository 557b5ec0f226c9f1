public import Foundation

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
