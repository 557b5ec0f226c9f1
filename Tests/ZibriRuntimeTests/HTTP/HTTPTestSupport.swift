import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

enum HTTPFixture {
    static let secret = "test-secret-0123456789abcdef0123456789"

    static let spec = """
        zibri: "1"
        info: { title: Test API, version: "1.0" }
        server: { maxBodyBytes: 2048 }
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        models:
          User:
            properties:
              id: { type: string, format: uuid }
              name: { type: string, minLength: 1, maxLength: 40 }
              email: { type: string, format: email }
              role: { type: string, enum: [admin, member], default: member }
          CreateUser: { from: User, omit: [id] }
        http:
          basePath: /api
          routes:
            GET /users/{userId}:
              handler: getUser
              params: { userId: { type: string, format: uuid } }
              query:
                expand: { type: boolean, default: false }
                limit: { type: integer, minimum: 1, maximum: 100, default: 20 }
              response: User
            POST /users:
              handler: createUser
              body: CreateUser
              status: 201
              response: User
              auth: required
              roles: [admin]
            DELETE /users/{userId}:
              handler: deleteUser
              auth: required
            GET /echo:
              handler: echo
              query:
                tag: { type: array, items: { type: string }, required: false }
                n: { type: integer, required: false }
              headers: { X-Count: { type: integer, required: false } }
              response: { type: object, additionalProperties: true }
              auth: optional
            POST /raw: { handler: raw, body: { type: any }, response: { type: any } }
            GET /fail: { handler: fail, response: User }
            GET /teapot: { handler: teapot, response: User }
            GET /wrong: { handler: wrong, response: User }
        """

    struct User: Codable, Sendable, Equatable {
        var id: String
        var name: String
        var email: String
        var role: String
    }

    struct CreateUser: Codable, Sendable {
        var name: String
        var email: String
        var role: String
    }

    struct Boom: Error {}

    static func application(environment: [String: String] = ["TEST_JWT_SECRET": secret]) throws -> ZibriApplication {
        var logger = Logger(label: "zibri-test")
        logger.logLevel = .warning
        let app = try ZibriApplication(yaml: spec, file: "test.zibri.yaml", environment: environment, logger: logger)
        app.http.handle("getUser") { (input: HTTPInput<NoBody>, _) -> User in
            User(
                id: input.params["userId"]!.string!, name: "Ann \(input.query["limit"]!.int!)",
                email: "ann@example.com",
                role: input.query["expand"]!.bool! ? "admin" : "member")
        }
        app.http.handle("createUser") { (input: HTTPInput<CreateUser>, _) -> User in
            User(
                id: "6f1c2a56-2d3b-4c1e-9f00-1234567890ab", name: input.body.name, email: input.body.email,
                role: input.body.role)
        }
        app.http.handle("deleteUser") { (_: HTTPInput<NoBody>, _) -> NoContent in NoContent() }
        app.http.handle("echo") { (input: HTTPInput<NoBody>, _) -> JSONValue in
            ["query": input.query, "headers": input.headers, "user": input.user.map { .string($0.id) } ?? nil]
        }
        app.http.handle("raw") { (input: HTTPInput<JSONValue>, _) -> JSONValue in ["received": input.body] }
        app.http.handle("fail") { (_: HTTPInput<NoBody>, _) -> User in throw Boom() }
        app.http.handle("teapot") { (_: HTTPInput<NoBody>, _) -> User in
            throw ZibriHTTPError(status: 418, title: "I'm a teapot", detail: "short and stout")
        }
        app.http.handle("wrong") { (_: HTTPInput<NoBody>, _) -> User in
            User(id: "not-a-uuid", name: "", email: "x", role: "member")
        }
        return app
    }

    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var roles: [String]

        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    static func token(
        user: String = "u1", roles: [String] = ["admin"], expiresIn: TimeInterval = 3600, secret: String = secret
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(
            Claims(
                sub: SubjectClaim(value: user), exp: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)),
                roles: roles))
    }
}

extension HTTPFixture {
    /// Claims of any shape, for tokens the typed `Claims` cannot make (a string `exp`, say).
    struct RawClaims: JWTPayload {
        var claims: [String: JSONValue]

        func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
        init(_ claims: [String: JSONValue]) { self.claims = claims }
        init(from decoder: any Decoder) throws { claims = try [String: JSONValue](from: decoder) }
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    /// A token signed with the fixture's secret, with these claims and header fields.
    static func token(claims: [String: JSONValue], header: JWTHeader = JWTHeader()) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(RawClaims(claims), header: header)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    var json: JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
