public struct WebSocketRoute: Sendable {
    public var event: String
    public var location: SourceLocation
    public var handler: Located<String>?
    public var description: String?
    public var body: PropertySchema?
    public var response: PropertySchema?
    public var auth: Located<AuthRequirement>?
    public var roles: Located<[String]>?
    public var keyLocations: [String: SourceLocation] = [:]
}
