import Foundation
import Hummingbird
import ZibriSchema
import ZibriValidation

/// The handshake: the origin check, who the client is, then the connection policy.
extension WebSocketRuntime {
    /// The result of a handshake: accepted (with the user, or none), or the problem to refuse it with.
    enum Admission {
        case accepted(Handshake)
        case refused(ProblemDocument)
    }

    /// The origin check, authentication (a bearer header, or `access_token` for browsers),
    /// then the connection policy. `host` is the request's (the `Host` header), for the
    /// same-origin rule.
    func admit(headers: HTTPFields, query: [String: String], host: String? = nil) async -> Admission {
        // A browser sends its page's origin, and sends the user's cookies to any site's socket:
        // a page of another site must not act as the user. Programs send no Origin.
        if let origin = headers[.origin], !Origins.allows(origin: origin, host: host, allowed: allowedOrigins) {
            return .refused(
                .forbidden("the origin '\(origin.prefix(100))' may not connect (websocket.connection.allowedOrigins)"))
        }
        let user: User?
        do {
            user = try await authorizer.user(authorization: headers[.authorization], accessToken: query["access_token"])
            try Authorizer.check(user, auth: connectionAuth, roles: [], for: .endpoint)
        } catch {
            return .refused(error.problem)
        }
        var headerValues: [String: String] = [:]
        for field in headers { headerValues[field.name.canonicalName] = field.value }
        let handshake = Handshake(headers: headerValues, query: query, user: user)
        guard let connectPolicy else { return .accepted(handshake) }
        do {
            if try await connectPolicy(handshake) {
                return .accepted(handshake)
            }
        } catch {
            logger.error("the connection policy failed: \(error)")
        }
        return .refused(.forbidden("the connection policy refused this connection"))
    }
}
