public import ZibriSchema

/// A failure of the client, with a stable code: `not-connected`, `timeout`, `connection-lost`,
/// `request-failed` (the server answered `ok: false`; `status` and `problem` say why),
/// `refused` (the server refused the connection for good: 4401 or 4403).
public struct ZibriClientError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String
    public var status: Int?
    public var problem: JSONValue?

    public var description: String { "\(message) [\(code)]" }
}
