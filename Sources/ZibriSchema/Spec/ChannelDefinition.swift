public struct ChannelDefinition: Sendable {
    public var pattern: String
    public var location: SourceLocation
    public var clientJoin = false
    public var join: Located<String>?
    public var description: String?
    /// `durable: true`: an authenticated user's membership lasts until the user leaves, on
    /// every connection of the user, rather than for one session.
    public var durable: Located<Bool>?
    /// `rejoin: check`: the join policy is asked again for each durable membership on connect.
    public var rejoin: Located<Rejoin>?

    public var isDurable: Bool { durable?.value ?? false }

    public enum Rejoin: String, Sendable, Hashable, CaseIterable {
        /// A membership, once let in, stays until the user leaves (the default).
        case keep
        /// The join policy decides again on each connect; a refusal ends the membership.
        case check
    }

    public enum Part: Hashable, Sendable {
        case literal(String)
        case parameter(String)
    }

    /// `room:{roomId}` gives `room:` and the parameter `roomId`; nil if the pattern does not parse.
    public static func parts(of pattern: String) -> [Part]? {
        var parts: [Part] = []
        var literal = ""
        var index = pattern.startIndex
        while index < pattern.endIndex {
            let character = pattern[index]
            if character == "{" {
                guard let close = pattern[index...].firstIndex(of: "}") else { return nil }
                let name = String(pattern[pattern.index(after: index)..<close])
                guard Identifiers.isIdentifier(name) else { return nil }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                if case .parameter = parts.last { return nil }  // `{a}{b}` cannot be split
                literal = ""
                parts.append(.parameter(name))
                index = pattern.index(after: close)
            } else if character == "}" {
                return nil
            } else {
                literal.append(character)
                index = pattern.index(after: index)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts.isEmpty ? nil : parts
    }
}
