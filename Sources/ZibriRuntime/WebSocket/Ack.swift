import ZibriSchema

/// The `ack` a client attaches to a message: echoed in the one answer it gets.
public enum Ack: Sendable, Hashable {
    case integer(Int)
    case string(String)

    var json: JSONValue {
        switch self {
        case .integer(let value): .integer(value)
        case .string(let value): .string(value)
        }
    }
}
