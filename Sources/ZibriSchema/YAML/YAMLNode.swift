/// A YAML node with its source position: the loader's output and every later stage's input.
///
/// Yams' own `Node` is converted to this tree at once, so the rest of Zibri depends on a small
/// `Sendable` value type instead of the parser's.
package struct YAMLNode: Sendable, Hashable {
    package enum Content: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        /// Pairs in source order; duplicate keys are kept so the linter can report them.
        case mapping([YAMLPair])
    }

    package var content: Content
    package var location: SourceLocation

    package init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    package var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    package var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    package var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value of the first pair whose key is `key`.
    package subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// What kind of node this is, in words for diagnostics: "a string", "a list", ...
    package var kindDescription: String {
        switch content {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar):
            switch scalar.value {
            case .null: "null"
            case .bool: "a boolean"
            case .integer: "an integer"
            case .number: "a number"
            case .string: "a string"
            }
        }
    }
}

extension YAMLNode {
    /// The node as JSON, for spec literals. Mapping keys become strings.
    package var jsonValue: JSONValue {
        switch content {
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return .null
            case .bool(let value): return .bool(value)
            case .integer(let value): return .integer(value)
            case .number(let value): return .number(value)
            case .string(let value): return .string(value)
            }
        case .sequence(let items):
            return .array(items.map(\.jsonValue))
        case .mapping(let pairs):
            var members: [String: JSONValue] = [:]
            for pair in pairs where members[pair.key.scalar?.text ?? ""] == nil {
                members[pair.key.scalar?.text ?? ""] = pair.value.jsonValue
            }
            return .object(members)
        }
    }
}
