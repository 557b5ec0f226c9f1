/// Limits that keep a hostile or broken file from exhausting memory or time.
public struct YAMLLimits: Sendable {
    /// Files over this size are refused before parsing.
    public var maxFileBytes: Int = 8 * 1024 * 1024
    /// Nodes after alias expansion ("billion laughs" protection).
    public var maxNodes: Int = 1_000_000
    /// Nesting depth of mappings and lists.
    public var maxDepth: Int = 128

    public init() {}
}
