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
