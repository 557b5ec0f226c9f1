import ZibriSchema

/// Who a request or a handshake is, and whether that may use what it asks for: the one path
/// of authentication and roles for HTTP routes, WebSocket handshakes and WebSocket events.
struct Authorizer: Sendable {
    /// Nil without `auth.jwt`: then no credential can be checked, and none is read.
    let authenticator: JWTAuthenticator?

    /// What a requirement guards, for the refusal's words.
    enum Guarded {
        case route, endpoint, event

        var name: String {
            switch self {
            case .route: "this route"
            case .endpoint: "this endpoint"
            case .event: "this event"
            }
        }

        /// What is missing when there is no user.
        var missingUser: String {
            switch self {
            case .route, .endpoint: "a bearer token"
            case .event: "an authenticated connection"
            }
        }
    }

    /// The user of a credential: the `Authorization` header's bearer token, else `accessToken`
    /// (a handshake's `access_token` query parameter: browsers cannot set headers on a
    /// WebSocket). Nil without one. A credential that is present but invalid is refused even
    /// where authentication is optional: a bad credential is never silently treated as none.
    func user(authorization: String?, accessToken: String? = nil) async throws(Refusal) -> User? {
        guard let authenticator else { return nil }
        let token: String
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw Refusal(.unauthorized("the Authorization header is not 'Bearer TOKEN'"))
            }
            token = String(parts[1])
        } else if let accessToken {
            token = accessToken
        } else {
            return nil
        }
        do {
            return try await authenticator.authenticate(token: token)
        } catch {
            throw Refusal(.unauthorized(error.detail))
        }
    }

    /// Refuses `user` (401 without one, 403 without any of `roles`) where `auth` and `roles`
    /// say so.
    static func check(_ user: User?, auth: AuthRequirement, roles: [String], for guarded: Guarded) throws(Refusal) {
        guard let user else {
            if auth == .required || !roles.isEmpty {
                throw Refusal(.unauthorized("\(guarded.name) needs \(guarded.missingUser)"))
            }
            return
        }
        if !roles.isEmpty, Set(user.roles).isDisjoint(with: roles) {
            throw Refusal(.forbidden("\(guarded.name) needs one of the roles \(roles.joined(separator: ", "))"))
        }
    }
}
