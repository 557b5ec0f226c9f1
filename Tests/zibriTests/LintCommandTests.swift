import Foundation
import Testing
import ZibriTesting

/// `zibri lint` as a user runs it: the real binary, its output and its exit status.
@Suite(.timeLimit(.minutes(2))) struct LintCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let zibri = ChildProcess.builtProduct("zibri", packageRoot: packageRoot)
    static let chat = packageRoot.appendingPathComponent("Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml").path

    func lint(_ arguments: [String]) throws -> ChildProcessResult {
        try ChildProcess.run(Self.zibri, ["lint"] + arguments, currentDirectory: Self.packageRoot)
    }

    func temporarySpec(_ yaml: String, name: String = "spec.zibri.yaml") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zibri-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let withError = """
        zibri: "1"
        info: { title: T, version: "1" }
        sever: { port: 80 }

        """

    static let withWarning = """
        zibri: "1"
        info: { title: T, version: "1" }
        http:
          routes:
            GET /items/{id}: { handler: getItem }

        """

    @Test func cleanSpecExitsZero() throws {
        let result = try lint(["Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml"])
        #expect(result.status == 0)
        #expect(result.standardOutput == "0 errors, 0 warnings\n")
    }

    @Test func errorsPrintLocationSourceLineCaretAndHintAndExitOne() throws {
        let path = try temporarySpec(Self.withError)
        let result = try lint([path])
        #expect(result.status == 1)
        #expect(
            result.standardOutput == """
                \(path):3:1: error: unknown key 'sever' in the spec [unknown-key]
                sever: { port: 80 }
                ^
                  hint: did you mean 'server'?
                1 error, 0 warnings

                """)
    }

    @Test func warningsPassUnlessStrict() throws {
        let path = try temporarySpec(Self.withWarning)
        let relaxed = try lint([path])
        #expect(relaxed.status == 0)
        #expect(relaxed.standardOutput.hasSuffix("0 errors, 1 warning\n"))
        let strict = try lint(["--strict", path])
        #expect(strict.status == 1)
    }

    @Test func jsonFormatIsOneDocumentWithEveryField() throws {
        let path = try temporarySpec(Self.withError)
        let result = try lint(["--format", "json", path])
        #expect(result.status == 1)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(document["errors"] as? Int == 1)
        #expect(document["warnings"] as? Int == 0)
        let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        let first = try #require(diagnostics.first)
        #expect(first["file"] as? String == path)
        #expect(first["line"] as? Int == 3)
        #expect(first["column"] as? Int == 1)
        #expect(first["severity"] as? String == "error")
        #expect(first["rule"] as? String == "unknown-key")
        #expect(first["message"] as? String == "unknown key 'sever' in the spec")
        #expect(first["hint"] as? String == "did you mean 'server'?")
    }

    @Test func githubFormatPrintsWorkflowAnnotations() throws {
        let path = try temporarySpec(Self.withError + "models: { A: { properties: {} } }\n")
        let result = try lint(["--format", "github", path])
        #expect(result.status == 1)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "::error file=\(path),line=3,col=1,title=zibri unknown-key::unknown key 'sever' in the spec [unknown-key]%0Ahint: did you mean 'server'?",
                "::warning file=\(path),line=4,col=11,title=zibri unused-model::model 'A' is not used by any route [unused-model]",
            ])
    }

    @Test func severalFilesShareOneSummary() throws {
        let broken = try temporarySpec(Self.withError)
        let warned = try temporarySpec(Self.withWarning)
        let result = try lint([broken, warned, Self.chat])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("\(broken):3:1: error:"))
        #expect(result.standardOutput.contains("\(warned):5:5: warning:"))
        #expect(result.standardOutput.hasSuffix("1 error, 1 warning\n"))
    }

    @Test func unreadableFileExitsTwo() throws {
        let result = try lint(["/nonexistent/spec.zibri.yaml"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("cannot read '/nonexistent/spec.zibri.yaml'"))
    }

    @Test func unusableArgumentsExitTwo() throws {
        #expect(try lint([]).status == 2)
        #expect(try lint(["--format", "xml", Self.chat]).status == 2)
        #expect(try lint(["--no-such-flag", Self.chat]).status == 2)
        #expect(try ChildProcess.run(Self.zibri, ["frobnicate"]).status == 2)
    }

    @Test func helpExitsZero() throws {
        let result = try lint(["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("--strict"))
    }

    @Test func colorsOnlyWhenAskedOrOnATerminal() throws {
        let path = try temporarySpec(Self.withError)
        #expect(try lint([path]).standardOutput.contains("\u{1B}[") == false)
        #expect(try lint(["--color", "always", path]).standardOutput.contains("\u{1B}[1;31merror"))
    }
}
