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
