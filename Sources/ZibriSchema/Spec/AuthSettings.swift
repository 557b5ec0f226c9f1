public struct AuthSettings: Sendable {
    public var jwt: JWTSettings?
    public var location: SourceLocation
}
