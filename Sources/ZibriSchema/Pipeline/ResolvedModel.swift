/// A model with `from`/`pick`/`omit`/`partial` applied: the properties a document must have.
public struct ResolvedModel: Sendable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    public var properties: [Property]
    public var additionalProperties: AdditionalProperties
}
