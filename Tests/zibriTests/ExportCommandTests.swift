import Foundation
import Testing
import ZibriTesting

/// `zibri export openapi` produces documents that a real OpenAPI validator accepts
/// (`openapi-spec-validator` from PyPI; `.ci/run` installs it).
@Suite(.timeLimit(.minutes(2))) struct ExportCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let zibri = ChildProcess.builtProduct("zibri", packageRoot: root)

    @Test(arguments: [
        "Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml", "Tests/ZibriSchemaTests/Corpus/valid/every-key.yaml",
    ])
    func openAPIDocumentsAreValid(_ spec: String) throws {
        let result = try ChildProcess.run(
            Self.zibri, ["export", "openapi", Self.root.appendingPathComponent(spec).path])
        #expect(result.status == 0, "\(result.standardError)")
        let file = TestProcessFolder.url.appendingPathComponent("openapi-\(UUID().uuidString).json")
        try result.standardOutput.write(to: file, atomically: true, encoding: .utf8)
        let check = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", Self.root.appendingPathComponent("scripts/check-openapi.py").path, file.path])
        #expect(
            check.status == 0, "check-openapi.py failed (pip install openapi-spec-validator?): \(check.standardError)")
        #expect(check.standardOutput == "{\"\(file.path)\": null}\n", "\(check.standardOutput)")
        let document = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(document?["openapi"] as? String == "3.1.0")
    }

    @Test(arguments: [
        "Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml", "examples/Chat/chat.zibri.yaml",
        "Tests/ZibriSchemaTests/Corpus/valid/every-key.yaml",
    ])
    func asyncAPIDocumentsAreValid(_ spec: String) throws {
        let result = try ChildProcess.run(
            Self.zibri, ["export", "asyncapi", Self.root.appendingPathComponent(spec).path])
        #expect(result.status == 0, "\(result.standardError)")
        let file = TestProcessFolder.url.appendingPathComponent("asyncapi-\(UUID().uuidString).json")
        try result.standardOutput.write(to: file, atomically: true, encoding: .utf8)
        let check = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", Self.root.appendingPathComponent("scripts/check-asyncapi.py").path, file.path])
        #expect(check.status == 0, "check-asyncapi.py failed (pip install pydantic-asyncapi?): \(check.standardError)")
        #expect(check.standardOutput == "{\"\(file.path)\": null}\n", "\(check.standardOutput)")
        let document = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(document?["asyncapi"] as? String == "3.0.0")
        // Every route of the spec is an operation the server receives, answered by ws:response.
        let operations = document?["operations"] as? [String: Any] ?? [:]
        if spec == "examples/Chat/chat.zibri.yaml" {
            #expect(Set(operations.keys).isSuperset(of: ["receive_chat_message", "receive_typing", "receive_ws_join"]))
            let channels = document?["channels"] as? [String: Any] ?? [:]
            #expect((channels["room__roomId_"] as? [String: Any])?["address"] as? String == "room:{roomId}")
        }
    }

    @Test func aSpecWithoutWebSocketsHasNoAsyncAPIDocument() throws {
        let spec = TestProcessFolder.url.appendingPathComponent("zibri-\(UUID().uuidString).yaml")
        try "zibri: \"1\"\ninfo: { title: T, version: \"1\" }\n".write(to: spec, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(Self.zibri, ["export", "asyncapi", spec.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("has no websocket section"))
    }

    @Test func aBrokenSpecIsNotExported() throws {
        let spec = TestProcessFolder.url.appendingPathComponent("zibri-\(UUID().uuidString).yaml")
        try "zibri: \"1\"\ninfo: { title: T }\n".write(to: spec, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(Self.zibri, ["export", "openapi", spec.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("[missing-key]"))
    }
}
