import ZibriSchema

/// A handler's result: a JSON value, or the bytes its `Encodable` type encoded to.
enum AnswerData: Sendable {
    case value(JSONValue)
    case encoded([UInt8])

    /// The value, parsed from the bytes if need be (to validate it).
    func json() throws -> JSONValue {
        switch self {
        case .value(let value): value
        case .encoded(let bytes): try JSONParser().parse(bytes)
        }
    }
}
