import Foundation
import JWTKit
import Testing
import ZibriValidation

@testable import ZibriRuntime
@testable import ZibriSchema

/// The one path of authentication and roles that HTTP routes, handshakes and WebSocket events
/// share: what it reads, what it refuses, and with which problem.
@Suite struct AuthorizerTests {
    static func authorizer() async -> Authorizer {
        let settings = JWTSettings(secretEnv: "TEST_JWT_SECRET")
        return Authorizer(authenticator: await JWTAuthenticator.make(settings: settings, secret: HTTPFixture.secret))
    }

    func refusal(_ work: () async throws(Refusal) -> Void) async -> ProblemDocument? {
        do {
            try await work()
            return nil
        } catch {
            return error.problem
        }
    }

    @Test func theHeaderComesFirstThenTheAccessToken() async throws {
        let authorizer = await Self.authorizer()
        let alice = try await HTTPFixture.token(user: "alice")
        let bob = try await HTTPFixture.token(user: "bob")
        #expect(try await authorizer.user(authorization: nil) == nil)
        #expect(try await authorizer.user(authorization: "Bearer \(alice)")?.id == "alice")
        #expect(try await authorizer.user(authorization: "bearer \(alice)")?.id == "alice")
        #expect(try await authorizer.user(authorization: nil, accessToken: bob)?.id == "bob")
        #expect(try await authorizer.user(authorization: "Bearer \(alice)", accessToken: bob)?.id == "alice")
    }

    @Test func aBadCredentialIsRefusedNeverTakenForNone() async throws {
        let authorizer = await Self.authorizer()
        let expired = try await HTTPFixture.token(expiresIn: -60)
        let cases: [(String?, String?, String)] = [
            ("Basic dTpw", nil, "the Authorization header is not 'Bearer TOKEN'"),
            ("Bearer", nil, "the Authorization header is not 'Bearer TOKEN'"),
            ("Bearer garbage", nil, "the token is invalid"),
            (nil, "garbage", "the token is invalid"),
            ("Bearer \(expired)", nil, "the token has expired"),
        ]
        for (header, accessToken, detail) in cases {
            let problem = await refusal { () async throws(Refusal) in
                _ = try await authorizer.user(authorization: header, accessToken: accessToken)
            }
            #expect(problem == .unauthorized(detail))
            #expect(problem?.type == "urn:zibri:problem:unauthorized")
        }
    }

    /// RFC 7519 makes `exp` and `nbf` numbers; a token whose `exp` is a string or null would
    /// otherwise never expire. RFC 7515: a `crit` header Zibri cannot understand is refused.
    @Test func timeClaimsOfTheWrongTypeAndCriticalExtensionsAreRefused() async throws {
        let authorizer = await Self.authorizer()
        let later = JSONValue.integer(Int(Date().timeIntervalSince1970) + 3600)
        let cases: [([String: JSONValue], JWTHeader, String)] = [
            (["sub": "u", "exp": "2999-01-01"], JWTHeader(), "the token's 'exp' claim is not a number of seconds"),
            (["sub": "u", "exp": .null], JWTHeader(), "the token's 'exp' claim is not a number of seconds"),
            (["sub": "u", "nbf": .bool(false)], JWTHeader(), "the token's 'nbf' claim is not a number of seconds"),
            (
                ["sub": "u", "exp": later], ["crit": ["exp"], "exp": true],
                "the token has critical header extensions ('crit') that are not supported"
            ),
        ]
        for (claims, header, detail) in cases {
            let token = try await HTTPFixture.token(claims: claims, header: header)
            let problem = await refusal { () async throws(Refusal) in
                _ = try await authorizer.user(authorization: "Bearer \(token)")
            }
            #expect(problem == .unauthorized(detail))
        }
        // The same claims with a number, and no `crit`, are accepted.
        let good = try await HTTPFixture.token(claims: ["sub": "u", "exp": later, "nbf": .integer(0)])
        #expect(try await authorizer.user(authorization: "Bearer \(good)")?.id == "u")
    }

    @Test func withoutJWTNoCredentialIsRead() async throws {
        let authorizer = Authorizer(authenticator: nil)
        #expect(try await authorizer.user(authorization: "Basic dTpw", accessToken: "garbage") == nil)
    }

    @Test func requirementsAndRolesGiveOneProblemEach() async {
        let member = User(id: "m", roles: ["member"], claims: [:])
        func check(
            _ user: User?, _ auth: AuthRequirement, _ roles: [String], _ guarded: Authorizer.Guarded
        ) async
            -> ProblemDocument?
        {
            await refusal { () throws(Refusal) in try Authorizer.check(user, auth: auth, roles: roles, for: guarded) }
        }
        #expect(await check(nil, .none, [], .route) == nil)
        #expect(await check(nil, .optional, [], .route) == nil)
        #expect(await check(nil, .required, [], .route) == .unauthorized("this route needs a bearer token"))
        #expect(await check(nil, .required, [], .endpoint) == .unauthorized("this endpoint needs a bearer token"))
        #expect(
            await check(nil, .none, ["admin"], .event) == .unauthorized("this event needs an authenticated connection"))
        #expect(await check(member, .required, [], .event) == nil)
        #expect(await check(member, .none, ["member", "admin"], .route) == nil)
        let forbidden = await check(member, .required, ["admin"], .event)
        #expect(forbidden == .forbidden("this event needs one of the roles admin"))
        #expect(forbidden?.type == "urn:zibri:problem:forbidden")
    }
}
