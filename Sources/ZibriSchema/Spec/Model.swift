/// A named model (DTO) from `models:`.
public struct Model: Sendable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    /// Properties written on the model itself, in source order (for a derived model: the extra ones).
    public var properties: [Property]
    public var additionalProperties: AdditionalProperties
    public var derivation: Derivation?
    public var keyLocations: [String: SourceLocation]

    /// `from: Base` with `pick` / `omit` / `partial`.
    public struct Derivation: Sendable {
        public var base: Located<String>
        public var pick: [Located<String>]?
        public var omit: [Located<String>]?
        public var partial: Bool
    }
}
