import Foundation
import Testing
import ZibriSchema
import ZibriTesting

/// `zibri serve SPEC --mock` as a front-end developer runs it: the built tool on a real port.
@Suite(.timeLimit(.minutes(2))) struct ServeCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let zibri = ChildProcess.builtProduct("zibri", packageRoot: root)
    static let secret = "serve-test-secret-0123456789abcdef"

    static func serve(
        _ spec: String, environment: [String: String], in folder: URL? = nil
    ) async throws
        -> ServerProcess
    {
        try await offThePool {
            try ServerProcess(
                zibri, arguments: ["serve", root.appendingPathComponent(spec).path, "--mock", "--port", "0"],
                environment: environment, currentDirectory: folder, port: ServerProcess.portOfURL)
        }
    }

    static func json(_ response: LiveHTTPResponse) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: response.body)
    }

    @Test func theChatSpecIsServedWithMockDataAndRealValidationWithoutAFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zibri-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await Self.serve(
            "examples/Chat/chat.zibri.yaml", environment: ["CHAT_JWT_SECRET": Self.secret], in: folder)
        defer { server.kill() }
        #expect(server.greeting.contains("Mock server for 'Zibri Chat' on http://127.0.0.1:\(server.port)"))
        let base = "http://127.0.0.1:\(server.port)"

        // The room list is built from the model's examples.
        let rooms = try await LiveHTTP.request("GET", "\(base)/api/rooms")
        #expect(rooms.status == 200)
        #expect(try Self.json(rooms) == ["rooms": [["id": "lobby", "title": "Lobby"]]])
        // Requests are validated as by the real server.
        let empty = try await LiveHTTP.request("POST", "\(base)/api/rooms/lobby/messages", body: #"{"message": ""}"#)
        #expect(empty.status == 400)
        #expect(try Self.json(empty)["errors"]?[0]?["pointer"] == "/body/message")
        let posted = try await LiveHTTP.request("POST", "\(base)/api/rooms/lobby/messages", body: #"{"message": "hi"}"#)
        #expect(posted.status == 201)
        #expect(try Self.json(posted)["at"] == "2024-01-01T12:00:00Z")
        // A bad token is refused, not taken for a guest.
        let forged = try await LiveHTTP.request(
            "POST", "\(base)/api/rooms/lobby/messages", body: #"{"message": "hi"}"#,
            headers: ["Authorization": "Bearer not.a.token"])
        #expect(forged.status == 401)
        let openAPI = try await LiveHTTP.request("GET", "\(base)/openapi.json")
        #expect(openAPI.status == 200)
        #expect(try Self.json(openAPI)["info"]?["title"] == "Zibri Chat")
        // The spec's SQLite file is not created: a mock keeps its state in memory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func everyHandlerPolicyAndHookOfASpecIsStoodInFor() async throws {
        // The corpus spec that uses every key: policies, lifecycle hooks, roles, a PostgreSQL
        // storage (replaced by memory).
        let server = try await Self.serve(
            "Tests/ZibriSchemaTests/Corpus/valid/every-key.yaml", environment: ["JWT_SECRET": Self.secret])
        defer { server.kill() }
        #expect(server.greeting.contains("Mock server for"))
    }

    @Test func withoutMockOrWithoutItsSecretItSaysWhy() throws {
        let chat = Self.root.appendingPathComponent("examples/Chat/chat.zibri.yaml").path
        let withoutMock = try ChildProcess.run(Self.zibri, ["serve", chat])
        #expect(withoutMock.status == 2)
        #expect(withoutMock.standardError.contains("zibri serve runs a spec without its handlers and needs --mock"))

        let withoutSecret = try ChildProcess.run(
            Self.zibri, ["serve", chat, "--mock", "--port", "0"],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"])
        #expect(withoutSecret.status == 1)
        #expect(
            withoutSecret.standardError
                == "zibri: error: the environment variable CHAT_JWT_SECRET (auth.jwt.secretEnv) must hold the JWT secret\n"
        )

        let missing = try ChildProcess.run(Self.zibri, ["serve", "/nonexistent.zibri.yaml", "--mock"])
        #expect(missing.status == 2)
        let badPort = try ChildProcess.run(Self.zibri, ["serve", chat, "--mock", "--port", "70000"])
        #expect(badPort.status == 2)
        #expect(badPort.standardError.contains("--port must be 0-65535, is 70000"))
    }
}
