/// Whom a logged message was sent to.
public enum Recipient: Sendable, Hashable {
    case connection(String)
    case user(String)
    case channel(String)
    case all

    /// The stored form: kind and id.
    public var kind: String {
        switch self {
        case .connection: "connection"
        case .user: "user"
        case .channel: "channel"
        case .all: "all"
        }
    }

    public var id: String? {
        switch self {
        case .connection(let id), .user(let id), .channel(let id): id
        case .all: nil
        }
    }

    public init?(kind: String, id: String?) {
        switch (kind, id) {
        case ("connection", let id?): self = .connection(id)
        case ("user", let id?): self = .user(id)
        case ("channel", let id?): self = .channel(id)
        case ("all", _): self = .all
        default: return nil
        }
    }
}
