/// The formats a `string` may declare.
public enum StringFormat: String, Sendable, Hashable, CaseIterable {
    case email, uuid, uri, dateTime = "date-time", date, ipv4, ipv6, hostname
}
