public struct JWTSettings: Sendable {
    /// The environment variable holding the HS256 secret.
    public var secretEnv: String
    public var userIdClaim: String = "sub"
    public var rolesClaim: String = "roles"
    public var issuer: String?
    public var audience: String?
}
