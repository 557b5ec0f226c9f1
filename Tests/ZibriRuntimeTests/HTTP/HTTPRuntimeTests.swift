import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

@Suite(.timeLimit(.minutes(2))) struct HTTPRuntimeTests {
    typealias Fixture = HTTPFixture

    func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try await Fixture.application().makeApplication()
        try await app.test(.router) { client in try await body(client) }
    }

    @Test func typedHandlerGetsCoercedParametersAndDefaults() async throws {
        try await withClient { client in
            let id = "6f1c2a56-2d3b-4c1e-9f00-1234567890ab"
            try await client.execute(uri: "/api/users/\(id)?expand=1&limit=5", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(
                    response.json == ["id": .string(id), "name": "Ann 5", "email": "ann@example.com", "role": "admin"])
            }
            try await client.execute(uri: "/api/users/\(id)", method: .get) { response in
                #expect(response.json?["name"] == "Ann 20")
                #expect(response.json?["role"] == "member")
            }
        }
    }

    @Test func untypedHandlerGetsTheDynamicValue() async throws {
        try await withClient { client in
            try await client.execute(
                uri: "/api/raw", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"a": [1, "x"]}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json == ["received": ["a": [1, "x"]]])
            }
            try await client.execute(
                uri: "/api/echo?tag=a&tag=b&n=3", method: .get, headers: [HTTPField.Name("X-Count")!: "7"]
            ) { response in
                #expect(
                    response.json == ["query": ["tag": ["a", "b"], "n": 3], "headers": ["X-Count": 7], "user": nil])
            }
        }
    }

    @Test func validationFailuresAreOneProblemDocumentWithEveryPointer() async throws {
        try await withClient { client in
            try await client.execute(uri: "/api/users/not-a-uuid?limit=0&expand=maybe", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(
                    response.text
                        == #"{"detail":"/params/userId must be a valid uuid, is the string \"not-a-uuid\" (and 2 more problems)","#
                        + #""errors":[{"code":"format","detail":"must be a valid uuid, is the string \"not-a-uuid\"","pointer":"/params/userId"},"#
                        + #"{"code":"type","detail":"must be a boolean, is the string \"maybe\"","pointer":"/query/expand"},"#
                        + #"{"code":"minimum","detail":"must be at least 1, is 0","pointer":"/query/limit"}],"#
                        + #""status":400,"title":"Validation failed","type":"urn:zibri:problem:validation"}"#)
            }
            // A repeated scalar is refused, not read as its first or last value.
            let id = "6f1c2a56-2d3b-4c1e-9f00-1234567890ab"
            try await client.execute(uri: "/api/users/\(id)?limit=5&limit=abc", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.json?["errors"]?[0]?["code"] == "repeated")
                #expect(response.json?["errors"]?[0]?["pointer"] == "/query/limit")
            }
            let token = try await Fixture.token()
            try await client.execute(
                uri: "/api/users", method: .post,
                headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                body: ByteBuffer(string: #"{"name": "", "email": "nope", "extra": 1}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let pointers = response.json?["errors"]?.array?.compactMap { $0["pointer"]?.string }
                #expect(pointers == ["/body/email", "/body/extra", "/body/name"])
            }
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await withClient { client in
            try await client.execute(
                uri: "/api/raw", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.json?["type"] == "urn:zibri:problem:malformed-json")
                #expect(response.json?["title"] == "Malformed JSON")
            }
        }
    }

    @Test func authenticationAndRoles() async throws {
        let body = ByteBuffer(string: #"{"name": "Bo", "email": "bo@example.com"}"#)
        let admin = try await Fixture.token()
        let member = try await Fixture.token(roles: ["member"])
        let expired = try await Fixture.token(expiresIn: -60)
        let forged = try await Fixture.token(secret: "another-secret-0123456789abcdef0123")
        try await withClient { client in
            func post(_ authorization: String?) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let authorization { headers[.authorization] = authorization }
                return try await client.execute(uri: "/api/users", method: .post, headers: headers, body: body)
            }
            let created = try await post("Bearer \(admin)")
            #expect(created.status == .created)
            #expect(created.json?["role"] == "member")  // the default filled in
            for (authorization, detail) in [
                (nil, "this route needs a bearer token"), ("Bearer \(expired)", "the token has expired"),
                ("Bearer \(forged)", "the token is invalid"), ("Bearer garbage", "the token is invalid"),
                ("Basic dTpw", "the Authorization header is not 'Bearer TOKEN'"),
            ] {
                let response = try await post(authorization)
                #expect(response.status == .unauthorized, "\(detail)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(response.json?["detail"]?.string == detail)
                #expect(response.json?["type"] == "urn:zibri:problem:unauthorized")
            }
            let forbidden = try await post("Bearer \(member)")
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.json?["detail"] == "this route needs one of the roles admin")
            #expect(forbidden.json?["type"] == "urn:zibri:problem:forbidden")
            // Optional auth: no token is anonymous, a bad token is refused, never downgraded.
            let anonymous = try await client.execute(uri: "/api/echo", method: .get)
            #expect(anonymous.json?["user"] == .null)
            let known = try await client.execute(
                uri: "/api/echo", method: .get, headers: [.authorization: "Bearer \(member)"])
            #expect(known.json?["user"] == "u1")
            let bad = try await client.execute(
                uri: "/api/echo", method: .get, headers: [.authorization: "Bearer \(expired)"])
            #expect(bad.status == .unauthorized)
        }
    }

    @Test func unknownRoutesAndMethods() async throws {
        try await withClient { client in
            try await client.execute(uri: "/api/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(
                    response.text
                        == #"{"detail":"no route matches GET /api/nothing","status":404,"title":"Not Found","type":"about:blank"}"#
                )
            }
            try await client.execute(uri: "/api/users/6f1c2a56-2d3b-4c1e-9f00-1234567890ab", method: .put) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, DELETE, HEAD")
                #expect(response.json?["type"] == "urn:zibri:problem:method-not-allowed")
            }
        }
    }

    @Test func bodyLimitsAndMediaType() async throws {
        try await withClient { client in
            let big = "{\"a\": \"" + String(repeating: "x", count: 3000) + "\"}"
            try await client.execute(
                uri: "/api/raw", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: big)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.json?["detail"] == "the body is larger than 2048 bytes")
            }
            try await client.execute(
                uri: "/api/raw", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(response.json?["detail"] == "the body must be application/json, not text/plain")
            }
            // The media type is read before any `;`, in any case, spaces and tabs around it ignored.
            for contentType in [
                "Application/JSON; charset=utf-8", " \tapplication/problem+json ;x=y", "application/json",
            ] {
                try await client.execute(
                    uri: "/api/raw", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: "{}")
                ) { response in
                    #expect(response.status == .ok, "\(contentType)")
                }
            }
            try await client.execute(
                uri: "/api/raw", method: .post, headers: [.contentType: "  Text/JSONX ; a=b"],
                body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.json?["detail"] == "the body must be application/json, not text/jsonx")
            }
        }
    }

    @Test func handlerErrors() async throws {
        try await withClient { client in
            try await client.execute(uri: "/api/fail", method: .get) { response in
                #expect(response.status == .internalServerError)
                let detail = response.json?["detail"]?.string ?? ""
                #expect(detail.hasPrefix("the request failed; the server log has the details under request id "))
                #expect(!response.text.contains("Boom"))
            }
            try await client.execute(uri: "/api/teapot", method: .get) { response in
                #expect(response.status.code == 418)
                #expect(
                    response.text
                        == #"{"detail":"short and stout","status":418,"title":"I'm a teapot","type":"about:blank"}"#)
            }
            try await client.execute(uri: "/api/wrong", method: .get) { response in
                #expect(response.status == .internalServerError)  // the response breaks the spec
                #expect(!response.text.contains("not-a-uuid"))
            }
        }
    }

    @Test func routesWithoutAResponseAnswer204() async throws {
        let token = try await Fixture.token()
        try await withClient { client in
            try await client.execute(
                uri: "/api/users/x", method: .delete, headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func missingHandlersFailBeforeServingListingEveryName() async throws {
        let app = try ZibriApplication(
            yaml: HTTPFixture.spec, file: "test.zibri.yaml", environment: ["TEST_JWT_SECRET": HTTPFixture.secret])
        app.http.handle("getUsers") { (_: HTTPInput<NoBody>, _) -> NoContent in NoContent() }
        do {
            _ = try await app.makeApplication()
            Issue.record("expected a failure")
        } catch let error as ZibriError {
            #expect(error.code == "missing-handlers")
            #expect(
                error.message == """
                    the spec names handlers or policies that are not registered:
                    test.zibri.yaml:17:16: handler 'getUser' is not registered (did you mean 'getUsers'?)
                    test.zibri.yaml:24:16: handler 'createUser' is not registered
                    test.zibri.yaml:31:16: handler 'deleteUser' is not registered
                    test.zibri.yaml:34:16: handler 'echo' is not registered
                    test.zibri.yaml:41:27: handler 'raw' is not registered
                    test.zibri.yaml:42:27: handler 'fail' is not registered
                    test.zibri.yaml:43:29: handler 'teapot' is not registered
                    test.zibri.yaml:44:28: handler 'wrong' is not registered
                    """)
        }
    }

    @Test func startupFailsWithoutTheJWTSecretOrWithABadPort() async throws {
        let app = try HTTPFixture.application(environment: [:])
        await #expect(throws: ZibriError.self) { _ = try await app.makeApplication() }
        #expect(throws: ZibriError.self) { try HTTPFixture.application(environment: ["ZIBRI_PORT": "http"]) }
        let configured = try HTTPFixture.application(environment: [
            "TEST_JWT_SECRET": HTTPFixture.secret, "ZIBRI_PORT": "0", "ZIBRI_HOST": "127.0.0.2",
            "ZIBRI_STORAGE_URL": "memory",
        ])
        #expect(configured.port == 0)
        #expect(configured.host == "127.0.0.2")
        #expect(configured.storage == .memory)
    }

    @Test func theNodeIdAndLogLevelComeFromTheEnvironmentAndBadValuesStopTheStart() throws {
        let secret = ["TEST_JWT_SECRET": HTTPFixture.secret]
        let named = try HTTPFixture.application(
            environment: secret.merging(["ZIBRI_NODE_ID": "node-7", "ZIBRI_LOG_LEVEL": "Debug"]) { $1 })
        #expect(named.nodeID == "node-7")
        #expect(named.logger.logLevel == .debug)
        #expect(try HTTPFixture.application(environment: secret).nodeID == ProcessInfo.processInfo.hostName)
        for bad in [["ZIBRI_NODE_ID": ""], ["ZIBRI_LOG_LEVEL": "loud"]] {
            #expect {
                try HTTPFixture.application(environment: secret.merging(bad) { $1 })
            } throws: { error in
                (error as? ZibriError)?.code == "invalid-environment"
            }
        }
    }

    @Test func aMissingOrShortJWTSecretStopsTheStart() async throws {
        for (environment, code) in [([:], "missing-secret"), (["TEST_JWT_SECRET": "secret"], "weak-secret")] {
            let app = try HTTPFixture.application(environment: environment)
            await #expect {
                _ = try await app.makeApplication()
            } throws: { error in
                (error as? ZibriError)?.code == code
            }
        }
        let long = String(repeating: "k", count: 32)
        _ = try await HTTPFixture.application(environment: ["TEST_JWT_SECRET": long]).makeApplication()
    }

    @Test func aSpecWithErrorsDoesNotStart() {
        #expect(throws: SpecError.self) { try ZibriApplication(yaml: "zibri: \"1\"\ninfo: { title: T }\n") }
    }

    @Test func serverOnARealPortAnswersManyConcurrentRequests() async throws {
        let app = try await Fixture.application().makeApplication()
        try await app.test(.live) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let response = try await client.execute(uri: "/api/echo?n=\(index)&tag=t\(index)", method: .get)
                        #expect(response.status == .ok)
                        #expect(response.json?["query"] == ["n": .integer(index), "tag": [.string("t\(index)")]])
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func openAPIDocumentIsServed() async throws {
        try await withClient { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json?["openapi"] == "3.1.0")
                #expect(response.json?["paths"]?["/api/users/{userId}"]?["get"]?["operationId"] == "getUser")
            }
        }
    }
}
