import ZibriSchema

/// What an HTTP handler returned: a JSON value, the bytes its `Encodable` type encoded to, or
/// nothing (204).
enum HandlerOutput: Sendable {
    case value(JSONValue)
    case encoded([UInt8])
    case noContent
}
