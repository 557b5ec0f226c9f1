import Foundation
import JWTKit
import Testing
import ZibriSchema
import ZibriTesting

/// `swift run todo-api` as its users run it: the built program on a real port and a real
/// SQLite file, spoken to over HTTP.
@Suite(.timeLimit(.minutes(2))) struct TodoAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let secret = "todo-test-secret-0123456789abcdef"

    /// The example on `storage`, in its own folder; `secret` nil leaves TODO_JWT_SECRET unset.
    static func start(storage: String, secret: String? = Self.secret) async throws -> ServerProcess {
        var environment = ["ZIBRI_PORT": "0", "ZIBRI_STORAGE_URL": storage]
        environment["TODO_JWT_SECRET"] = secret
        let settings = environment
        return try await offThePool {
            try ServerProcess(
                ChildProcess.builtProduct("todo-api", packageRoot: root), environment: settings,
                port: ServerProcess.portOfURL)
        }
    }

    static func token(user: String, roles: [String], secret: String = Self.secret) async throws -> String {
        struct Claims: JWTPayload {
            let sub: SubjectClaim
            let exp: ExpirationClaim
            let roles: [String]
            func verify(using algorithm: some JWTAlgorithm) async throws { try exp.verifyNotExpired() }
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(
            Claims(sub: SubjectClaim(value: user), exp: ExpirationClaim(value: Date() + 600), roles: roles))
    }

    /// A temporary folder for a SQLite file, removed by the caller.
    static func folder() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zibri-todo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    struct API {
        let port: Int

        func call(
            _ method: String, _ path: String, _ body: String? = nil, token: String? = nil
        ) async throws -> (status: Int, json: JSONValue) {
            var headers: [String: String] = [:]
            if let token { headers["Authorization"] = "Bearer \(token)" }
            let response = try await LiveHTTP.request(
                method, "http://127.0.0.1:\(port)/api\(path)", body: body, headers: headers)
            let json =
                response.body.isEmpty ? JSONValue.null : try JSONDecoder().decode(JSONValue.self, from: response.body)
            return (response.status, json)
        }
    }

    @Test func createReadPatchAndListWithFiltersAndPaging() async throws {
        let server = try await Self.start(storage: "memory")
        defer { server.kill() }
        let api = API(port: server.port)

        // Create: the spec's defaults are filled in, the owner comes from the token.
        let created = try await api.call("POST", "/todos", #"{"title": "Water the plants", "due": "2026-12-01"}"#)
        #expect(created.status == 201)
        #expect(created.json["id"] == 1)
        #expect(created.json["done"] == false)
        #expect(created.json["priority"] == "normal")
        #expect(created.json["owner"] == "guest")
        #expect(created.json["due"] == "2026-12-01T00:00:00Z")
        let alice = try await Self.token(user: "alice", roles: [])
        let second = try await api.call(
            "POST", "/todos", #"{"title": "100% done_now", "priority": "high"}"#, token: alice)
        #expect(second.json["owner"] == "alice")
        for number in 3...7 { _ = try await api.call("POST", "/todos", #"{"title": "chore \#(number)"}"#) }

        // Read: what the create answered is what is stored.
        let read = try await api.call("GET", "/todos/1")
        #expect(read.status == 200)
        #expect(read.json == created.json)

        // Patch: only what the patch names changes; `due: null` clears the date.
        let patched = try await api.call("PATCH", "/todos/1", #"{"done": true}"#)
        #expect(patched.status == 200)
        #expect(patched.json["done"] == true)
        #expect(patched.json["title"] == "Water the plants")
        #expect(patched.json["priority"] == "normal")
        #expect(patched.json["due"] == "2026-12-01T00:00:00Z")
        let cleared = try await api.call("PATCH", "/todos/1", #"{"due": null, "priority": "low"}"#)
        #expect(cleared.json["due"] == nil)
        #expect(cleared.json["done"] == true)
        #expect(cleared.json["priority"] == "low")

        // List: newest first, a page at a time, with the total of the filtered list.
        let page = try await api.call("GET", "/todos?limit=2&offset=2")
        #expect(page.json["items"]?.array?.map { $0["id"] } == [5, 4])
        #expect(page.json["total"] == 7)
        #expect(page.json["limit"] == 2)
        #expect(page.json["offset"] == 2)
        let done = try await api.call("GET", "/todos?done=true")
        #expect(done.json["items"]?.array?.map { $0["id"] } == [1])
        let high = try await api.call("GET", "/todos?priority=high")
        #expect(high.json["items"]?.array?.map { $0["id"] } == [2])
        // `%` and `_` in the words are matched as written, not as wildcards.
        let percent = try await api.call("GET", "/todos?q=%25%20done_")
        #expect(percent.json["items"]?.array?.map { $0["id"] } == [2])
        let none = try await api.call("GET", "/todos?q=_")
        #expect(none.json["total"] == 1)
    }

    @Test func invalidRequestsAreAnsweredWithTheirPointers() async throws {
        let server = try await Self.start(storage: "memory")
        defer { server.kill() }
        let api = API(port: server.port)

        let empty = try await api.call("POST", "/todos", #"{"title": ""}"#)
        #expect(empty.status == 400)
        #expect(empty.json["errors"]?[0]?["pointer"] == "/body/title")
        let unknown = try await api.call("POST", "/todos", #"{"title": "x", "owner": "mallory"}"#)
        #expect(unknown.status == 400)
        #expect(unknown.json["errors"]?[0]?["pointer"] == "/body/owner")
        let tooMany = try await api.call("GET", "/todos?limit=500")
        #expect(tooMany.status == 400)
        #expect(tooMany.json["errors"]?[0]?["pointer"] == "/query/limit")
        let badPriority = try await api.call("PATCH", "/todos/1", #"{"priority": "urgent"}"#)
        #expect(badPriority.status == 400)
        #expect(badPriority.json["errors"]?[0]?["pointer"] == "/body/priority")
        let notANumber = try await api.call("GET", "/todos/first")
        #expect(notANumber.status == 400)
        #expect(notANumber.json["errors"]?[0]?["pointer"] == "/params/id")
        let missing = try await api.call("GET", "/todos/42")
        #expect(missing.status == 404)
        #expect(missing.json["detail"] == "there is no todo 42")
        let missingPatch = try await api.call("PATCH", "/todos/42", #"{"done": true}"#)
        #expect(missingPatch.status == 404)
    }

    @Test func onlyAnAdminDeletes() async throws {
        let server = try await Self.start(storage: "memory")
        defer { server.kill() }
        let api = API(port: server.port)
        _ = try await api.call("POST", "/todos", #"{"title": "x"}"#)

        #expect(try await api.call("DELETE", "/todos/1").status == 401)
        let member = try await Self.token(user: "bob", roles: ["member"])
        #expect(try await api.call("DELETE", "/todos/1", token: member).status == 403)
        let forged = try await Self.token(user: "eve", roles: ["admin"], secret: "another-secret-0123456789abcdef-0123")
        #expect(try await api.call("DELETE", "/todos/1", token: forged).status == 401)
        #expect(try await api.call("GET", "/todos/1").status == 200)

        let admin = try await Self.token(user: "root", roles: ["admin"])
        #expect(try await api.call("DELETE", "/todos/1", token: admin).status == 204)
        #expect(try await api.call("GET", "/todos/1").status == 404)
        #expect(try await api.call("DELETE", "/todos/1", token: admin).status == 404)
    }

    @Test func withoutASecretTheDevelopmentAdminTokenItPrintsWorks() async throws {
        let server = try await Self.start(storage: "memory", secret: nil)
        defer { server.kill() }
        let api = API(port: server.port)
        let marker = "an admin token for the development secret: "
        let line = try #require(server.greeting.split(separator: "\n").first { $0.contains(marker) })
        let token = String(line[line.range(of: marker)!.upperBound...])
        _ = try await api.call("POST", "/todos", #"{"title": "x"}"#)
        #expect(try await api.call("DELETE", "/todos/1", token: token).status == 204)
    }

    @Test func todosAreKeptInTheSQLiteFileAcrossARestart() async throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = "sqlite:\(directory.appendingPathComponent("todos.sqlite").path)"

        let first = try await Self.start(storage: storage)
        let created = try await API(port: first.port).call("POST", "/todos", #"{"title": "survive"}"#)
        #expect(first.stop() == 0)

        let second = try await Self.start(storage: storage)
        defer { second.kill() }
        let read = try await API(port: second.port).call("GET", "/todos/1")
        #expect(read.status == 200)
        #expect(read.json == created.json)
    }

    @Test func aPostgresStorageIsRefusedWithAClearMessage() throws {
        let result = try ChildProcess.run(
            ChildProcess.builtProduct("todo-api", packageRoot: Self.root), [],
            environment: [
                "ZIBRI_STORAGE_URL": "postgres://zibri@127.0.0.1:1/todos", "TODO_JWT_SECRET": Self.secret,
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
            ])
        #expect(result.status != 0)
        #expect(
            result.standardError.contains(
                "the todo example keeps its todos in SQLite: storage must be sqlite:PATH or memory"))
    }
}
