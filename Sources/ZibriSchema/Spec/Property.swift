public struct Property: Sendable {
    public var name: String
    public var location: SourceLocation
    public var schema: PropertySchema

    public init(name: String, location: SourceLocation, schema: PropertySchema) {
        self.name = name
        self.location = location
        self.schema = schema
    }
}
