import Configuration
import Foundation
import JWTKit
import ZibriSchema

/// Verifies HS256 bearer tokens with jwt-kit and reads the user from the configured claims.
struct JWTAuthenticator: Sendable {
    let keys: JWTKeyCollection
    let settings: JWTSettings

    /// The authenticator of `auth.jwt`, its secret read from the environment variable the spec
    /// names (a key of one component, so the environment's name as it is); refused when it is
    /// missing or too short to be safe.
    static func make(settings: JWTSettings, configuration: ConfigReader) async throws(ZibriError) -> JWTAuthenticator {
        let secret = configuration.string(forKey: ConfigKey([settings.secretEnv]), isSecret: true)
        guard let secret, !secret.isEmpty else {
            throw ZibriError(
                code: "missing-secret",
                message: "the environment variable \(settings.secretEnv) (auth.jwt.secretEnv) must hold the JWT secret")
        }
        // RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 32 bytes. A
        // shorter one can be guessed, and jwt-kit stops a debug build on it.
        guard secret.utf8.count >= 32 else {
            throw ZibriError(
                code: "weak-secret",
                message:
                    "the JWT secret in \(settings.secretEnv) is \(secret.utf8.count) bytes; HS256 needs at least 32 (openssl rand -base64 32 makes one)"
            )
        }
        return await make(settings: settings, secret: secret)
    }

    static func make(settings: JWTSettings, secret: String) async -> JWTAuthenticator {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return JWTAuthenticator(keys: keys, settings: settings)
    }

    /// The user of a token; throws `AuthenticationFailure` for a bad signature, a malformed
    /// token, an expired one, one not yet valid, a wrong issuer or audience, or no user id.
    func authenticate(token: String) async throws(AuthenticationFailure) -> User {
        try Self.refuseCriticalExtensions(token)
        let payload: ClaimsPayload
        do {
            payload = try await keys.verify(token, as: ClaimsPayload.self)
        } catch let failure as AuthenticationFailure {
            throw failure
        } catch {
            throw AuthenticationFailure(detail: "the token is invalid")
        }
        let claims = payload.claims
        let now = Date()
        if let expiry = try Self.numericDate("exp", in: claims), now.timeIntervalSince1970 >= expiry {
            throw AuthenticationFailure(detail: "the token has expired")
        }
        if let notBefore = try Self.numericDate("nbf", in: claims), now.timeIntervalSince1970 < notBefore {
            throw AuthenticationFailure(detail: "the token is not valid yet")
        }
        if let issuer = settings.issuer, claims["iss"]?.string != issuer {
            throw AuthenticationFailure(detail: "the token has the wrong issuer")
        }
        if let audience = settings.audience {
            let audiences = claims["aud"]?.array?.compactMap(\.string) ?? claims["aud"]?.string.map { [$0] } ?? []
            guard audiences.contains(audience) else {
                throw AuthenticationFailure(detail: "the token has the wrong audience")
            }
        }
        guard let id = claims[settings.userIdClaim]?.string ?? claims[settings.userIdClaim]?.int.map(String.init) else {
            throw AuthenticationFailure(detail: "the token has no '\(settings.userIdClaim)' claim")
        }
        let roles: [String]
        switch claims[settings.rolesClaim] {
        case .array(let items): roles = items.compactMap(\.string)
        case .string(let text): roles = text.split(separator: " ").map(String.init)
        default: roles = []
        }
        return User(id: id, roles: roles, claims: claims)
    }

    /// A time claim, which RFC 7519 makes a NumericDate (seconds as a JSON number). Any other
    /// value is refused: ignoring a string `exp` would make a token that never expires.
    private static func numericDate(
        _ name: String, in claims: [String: JSONValue]
    ) throws(AuthenticationFailure)
        -> Double?
    {
        guard let value = claims[name] else { return nil }
        guard let seconds = value.double, seconds.isFinite else {
            throw AuthenticationFailure(detail: "the token's '\(name)' claim is not a number of seconds")
        }
        return seconds
    }

    /// RFC 7515 §4.1.11: a recipient must refuse a token whose `crit` header names an extension
    /// it does not understand, and Zibri understands none. jwt-kit does not look at `crit`.
    private static func refuseCriticalExtensions(_ token: String) throws(AuthenticationFailure) {
        guard let dot = token.utf8.firstIndex(of: UInt8(ascii: ".")) else { return }
        var header = String(token[..<dot]).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        header += String(repeating: "=", count: (4 - header.utf8.count % 4) % 4)
        // A header that is not base64 or JSON is jwt-kit's to refuse.
        guard let bytes = Data(base64Encoded: header),
            case .object(let fields)? = try? JSONParser().parse(Array(bytes)),
            fields["crit"] != nil
        else { return }
        throw AuthenticationFailure(detail: "the token has critical header extensions ('crit') that are not supported")
    }
}
