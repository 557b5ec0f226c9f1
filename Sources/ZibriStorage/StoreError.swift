/// A store operation that cannot be done, with a stable code.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    package static func unknownConnection(_ id: String) -> StoreError {
        StoreError(code: "unknown-connection", message: "no connection '\(id)'")
    }
}
