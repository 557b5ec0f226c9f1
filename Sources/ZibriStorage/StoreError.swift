/// A store operation that cannot be done, with a stable code.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    /// The store's file is damaged (SQLite's SQLITE_CORRUPT, SQLITE_NOTADB): nothing will work
    /// until it is restored.
    public static let corruptCode = "storage-corrupt"
    /// An operation took longer than `websocket.limits.storeTimeout`.
    public static let timeoutCode = "storage-timeout"
    /// The store is known to be down: the operation was not tried.
    public static let unavailableCode = "storage-unavailable"

    package static func unknownConnection(_ id: String) -> StoreError {
        StoreError(code: "unknown-connection", message: "no connection '\(id)'")
    }
}
