public import ZibriSchema

/// An event the server sent: to this connection, its user, a channel it is in, or everyone.
public struct ZibriEvent: Sendable, Equatable {
    public let event: String
    public let data: JSONValue
    /// Its place in the server's log; nil for volatile messages (`persist: false`).
    public let seq: Int?
    public let channel: String?
    public let senderUserID: String?
    public let senderConnectionID: String?
    /// Set when the server asks and waits for an answer: reply with `respond(to:with:)`.
    public let requestID: String?
}
