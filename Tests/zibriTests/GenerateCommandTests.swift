import Foundation
import Testing
import ZibriTesting

/// `zibri generate swift`: the file it writes, its options, and a spec with errors refused with
/// the lint diagnostics. The ZibriGenerator plugin's tool (`zibri-generator`) writes the same
/// bytes and reports errors as `file:line:column: error:` for SwiftPM and Xcode.
@Suite(.timeLimit(.minutes(2))) struct GenerateCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let zibri = ChildProcess.builtProduct("zibri", packageRoot: root)
    static let tool = ChildProcess.builtProduct("zibri-generator", packageRoot: root)
    static let chat = root.appendingPathComponent("examples/Chat/chat.zibri.yaml").path

    static func folder() throws -> URL {
        let url = TestProcessFolder.url.appendingPathComponent("generate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesTheSpecsSwiftFileAndThePluginToolWritesTheSameBytes() throws {
        let folder = try Self.folder()
        let printed = try ChildProcess.run(Self.zibri, ["generate", "swift", Self.chat])
        #expect(printed.status == 0, "\(printed.standardError)")
        #expect(printed.standardOutput.contains("struct ChatMessage: Swift.Codable, Swift.Hashable, Swift.Sendable {"))
        #expect(printed.standardOutput.contains("var handlers: ChatHandlers { ChatHandlers(self) }"))

        let written = try ChildProcess.run(Self.zibri, ["generate", "swift", Self.chat, "--output", folder.path])
        #expect(written.status == 0, "\(written.standardError)")
        let file = folder.appendingPathComponent("chat.zibri.swift")
        #expect(try String(contentsOf: file, encoding: .utf8) == printed.standardOutput)

        let toolOutput = folder.appendingPathComponent("tool/chat.zibri.swift")
        let tool = try ChildProcess.run(Self.tool, [Self.chat, "--output", toolOutput.path])
        #expect(tool.status == 0, "\(tool.standardError)")
        #expect(try String(contentsOf: toolOutput, encoding: .utf8) == printed.standardOutput)
    }

    @Test func accessAndNamespace() throws {
        let result = try ChildProcess.run(
            Self.zibri, ["generate", "swift", Self.chat, "--access", "public", "--namespace", "ChatAPI"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("public enum ChatAPI {"))
        #expect(result.standardOutput.contains("    public struct ChatMessage: "))
        #expect(
            result.standardOutput.contains("public var chatAPIHandlers: ChatAPI.Handlers { ChatAPI.Handlers(self) }"))

        for arguments in [["--access", "open"], ["--namespace", "9lives"]] {
            let refused = try ChildProcess.run(Self.zibri, ["generate", "swift", Self.chat] + arguments)
            #expect(refused.status == 2, "\(arguments)")
            #expect(refused.standardError.contains("must be"), "\(refused.standardError)")
        }
    }

    @Test func aSpecWithErrorsIsRefusedWithItsDiagnosticsAtFileLineColumn() throws {
        let folder = try Self.folder()
        let spec = folder.appendingPathComponent("broken.zibri.yaml")
        try """
        zibri: "1"
        info: { title: T, version: "1" }
        models:
          Item:
            properties:
              owner: { type: Usr }
          User:
            properties:
              name: { type: string }

        """.write(to: spec, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("broken.zibri.swift")
        for (program, arguments) in [
            (Self.zibri, ["generate", "swift", spec.path, "--output", folder.path]),
            (Self.tool, [spec.path, "--output", output.path]),
        ] {
            let result = try ChildProcess.run(program, arguments)
            #expect(result.status == 1)
            #expect(
                result.standardError.contains(
                    "\(spec.path):6:22: error: unknown type 'Usr' [unknown-type]"), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
    }
}
