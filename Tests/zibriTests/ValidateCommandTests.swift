import Foundation
import Testing
import ZibriTesting

/// `zibri validate` as a user runs it.
@Suite(.timeLimit(.minutes(2))) struct ValidateCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let zibri = ChildProcess.builtProduct("zibri", packageRoot: root)
    static let chat = root.appendingPathComponent("Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml").path

    func validate(_ arguments: [String], input: String? = nil) throws -> ChildProcessResult {
        try ChildProcess.run(Self.zibri, ["validate"] + arguments, standardInput: input)
    }

    @Test func validDocumentPrintsTheNormalizedValueAndExitsZero() throws {
        let result = try validate([Self.chat, "--model", "ChatMessage"], input: #"{"message": "hi"}"#)
        #expect(result.status == 0)
        #expect(result.standardOutput == #"{"message":"hi","tags":[]}"# + "\n")
    }

    @Test func documentFromAFile() throws {
        let file = TestProcessFolder.url.appendingPathComponent("zibri-\(UUID().uuidString).json")
        try #"[1, 2]"#.write(to: file, atomically: true, encoding: .utf8)
        let result = try validate([Self.chat, file.path, "--type", "{ type: array, items: { type: integer } }"])
        #expect(result.status == 0)
        #expect(result.standardOutput == "[1,2]\n")
    }

    @Test func invalidDocumentPrintsTheProblemDocumentAndExitsOne() throws {
        let result = try validate([Self.chat, "--model", "ChatMessage"], input: #"{"message": "", "x": 1}"#)
        #expect(result.status == 1)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(document["type"] as? String == "urn:zibri:problem:validation")
        #expect(document["status"] as? Int == 400)
        let errors = try #require(document["errors"] as? [[String: String]])
        #expect(errors.map { $0["pointer"]! } == ["/message", "/x"])
        #expect(errors.map { $0["code"]! } == ["minLength", "additionalProperties"])
    }

    @Test func unknownModelSuggestsAndExitsTwo() throws {
        let result = try validate([Self.chat, "--model", "ChatMesage"], input: "{}")
        #expect(result.status == 2)
        #expect(result.standardError.contains("unknown model 'ChatMesage' (did you mean 'ChatMessage'?)"))
    }

    @Test func unusableSpecPrintsItsDiagnosticsAndExitsTwo() throws {
        let spec = TestProcessFolder.url.appendingPathComponent("zibri-\(UUID().uuidString).yaml")
        try "zibri: \"1\"\ninfo: { title: T }\n".write(to: spec, atomically: true, encoding: .utf8)
        let result = try validate([spec.path, "--model", "A"], input: "{}")
        #expect(result.status == 2)
        #expect(result.standardError.contains("'info' needs the key 'version' [missing-key]"))
    }

    @Test func badInlineTypeAndMissingChoiceExitTwo() throws {
        #expect(try validate([Self.chat, "--type", "{ type: Usr }"], input: "1").status == 2)
        #expect(try validate([Self.chat], input: "1").status == 2)
        #expect(try validate([Self.chat, "--model", "User", "--type", "string"], input: "1").status == 2)
        #expect(try validate([Self.chat, "/nonexistent.json", "--model", "User"]).status == 2)
    }
}
