import Foundation
import Testing
import ZibriCodegen
import ZibriSchema
import ZibriTesting

/// Snippet tests of `zibri generate swift`: each `Generated/NAME.yaml` spec with the exact Swift
/// it must produce in `NAME.expected` (`ZIBRI_UPDATE_SNIPPETS=1` rewrites them). A first line
/// `# options: --access public --namespace Name` sets the options. The test package
/// Tests/GeneratedTypesPackage compiles such code with warnings as errors and serves it.
@Suite struct SwiftGeneratorTests {
    static let suite = SnippetSuite(folder: "Generated")

    static func options(_ yaml: String) -> SwiftGenerationOptions {
        var options = SwiftGenerationOptions()
        guard let first = yaml.split(separator: "\n").first, first.hasPrefix("# options:") else { return options }
        let words = first.dropFirst("# options:".count).split(separator: " ").map(String.init)
        for (flag, value) in zip(words, words.dropFirst()) {
            if flag == "--access" { options.access = SwiftGenerationOptions.Access(rawValue: value) ?? .internal }
            if flag == "--namespace" { options.namespace = value }
        }
        return options
    }

    @Test(arguments: suite.names)
    func generatesExactlyTheExpectedSwift(_ name: String) throws {
        let yaml = String(decoding: try Self.suite.yamlBytes(name), as: UTF8.self)
        let loaded = SpecPipeline.lint(yaml: yaml, file: "\(name).zibri.yaml")
        #expect(!loaded.diagnostics.hasErrors, "\(loaded.diagnostics)")
        let resolved = try #require(loaded.value)
        let source = SwiftGenerator.source(for: resolved, options: Self.options(yaml))
        let file = Self.suite.directory.appendingPathComponent("\(name).expected")
        if ProcessInfo.processInfo.environment["ZIBRI_UPDATE_SNIPPETS"] == "1" {
            try source.write(to: file, atomically: true, encoding: .utf8)
        }
        #expect(source == Self.suite.expected(name))
    }

    /// "Formatted" means what the repository's own formatter writes: every expected file, without
    /// its `swift-format-ignore-file` line, passes `swift format lint --strict` with .swift-format.
    @Test func theGeneratedSwiftIsAsSwiftFormatWritesIt() throws {
        let root = Self.suite.directory.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = TestProcessFolder.url.appendingPathComponent("format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var files: [String] = []
        for name in Self.suite.names {
            let text = try #require(Self.suite.expected(name))
            let file = folder.appendingPathComponent("\(name).swift")
            try text.replacingOccurrences(of: "// swift-format-ignore-file\n", with: "")
                .write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "swift", "format", "lint", "--strict", "--configuration",
                root.appendingPathComponent(".swift-format").path,
            ]
                + files)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty, "\(result.standardError)")
    }
}
