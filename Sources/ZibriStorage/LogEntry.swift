public import Foundation
public import ZibriSchema

/// A message to log: everything but its `seq`, which the store assigns.
public struct LogEntry: Sendable, Hashable {
    public let recipient: Recipient
    public let event: String
    public let data: JSONValue
    public let senderUserID: String?
    public let senderConnectionID: String?
    /// A channel message not sent to its sender (and not owed to it on recovery).
    public let excludedConnectionID: String?
    public let at: Date

    public init(
        recipient: Recipient, event: String, data: JSONValue, senderUserID: String? = nil,
        senderConnectionID: String? = nil, excludedConnectionID: String? = nil, at: Date = Date()
    ) {
        self.recipient = recipient
        self.event = event
        self.data = data
        self.senderUserID = senderUserID
        self.senderConnectionID = senderConnectionID
        self.excludedConnectionID = excludedConnectionID
        self.at = at
    }
}
