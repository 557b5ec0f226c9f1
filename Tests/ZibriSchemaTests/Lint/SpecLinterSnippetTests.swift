import Foundation
import Testing
import ZibriSchema
import ZibriTesting

/// YAML in, exact `zibri lint` text out, for every rule of the loader and the linter.
@Suite struct SpecLinterSnippetTests {
    static let suite = SnippetSuite(besides: #filePath, folder: "../Snippets")

    @Test(arguments: suite.names)
    func snippet(_ name: String) throws {
        let actual = try Self.suite.actual(name) { bytes, file in
            let result = SpecPipeline.lint(bytes: bytes, file: file)
            return (result.diagnostics, result.source)
        }
        let expected = try #require(Self.suite.expected(name), "no \(name).expected; run with ZIBRI_UPDATE_SNIPPETS=1")
        #expect(actual == expected)
    }

    @Test func everySnippetReportsTheRuleItIsNamedFor() {
        for name in Self.suite.names {
            #expect(Self.suite.expected(name)?.contains("[\(name)]") == true, "\(name).expected lacks [\(name)]")
        }
    }
}
