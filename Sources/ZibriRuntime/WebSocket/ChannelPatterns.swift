import ZibriSchema

/// The spec's channel patterns, compiled: which pattern a channel name belongs to, and its
/// parameters (`room:{roomId}` and `room:42` give `roomId = 42`).
struct ChannelPatterns: Sendable {
    struct Match: Sendable, Equatable {
        let pattern: String
        let parameters: [String: String]
    }

    private let patterns: [(source: String, parts: [ChannelDefinition.Part])]

    /// Patterns that do not parse are left out (the linter reported them).
    init(_ sources: [String]) {
        patterns = sources.compactMap { source in ChannelDefinition.parts(of: source).map { (source, $0) } }
    }

    /// The first pattern that matches all of `name`, or nil. Parameters match one or more
    /// characters and stop at the next literal part.
    func match(_ name: String) -> Match? {
        for (source, parts) in patterns {
            if let parameters = Self.match(Substring(name), parts[...]) {
                return Match(pattern: source, parameters: parameters)
            }
        }
        return nil
    }

    private static func match(_ text: Substring, _ parts: ArraySlice<ChannelDefinition.Part>) -> [String: String]? {
        guard let part = parts.first else { return text.isEmpty ? [:] : nil }
        switch part {
        case .literal(let literal):
            guard text.hasPrefix(literal) else { return nil }
            return match(text.dropFirst(literal.count), parts.dropFirst())
        case .parameter(let name):
            // Try every split, shortest first; a parameter is never empty.
            var end = text.startIndex
            while end < text.endIndex {
                end = text.index(after: end)
                if var rest = match(text[end...], parts.dropFirst()) {
                    rest[name] = String(text[..<end])
                    return rest
                }
            }
            return nil
        }
    }
}
