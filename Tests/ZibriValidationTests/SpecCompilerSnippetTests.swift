import Foundation
import Testing
import ZibriSchema
import ZibriTesting
import ZibriValidation

/// Snippets for the compile stage's rules, run through the whole pipeline.
@Suite struct SpecCompilerSnippetTests {
    static let suite = SnippetSuite(besides: #filePath)
    static let linterSuite = SnippetSuite(besides: #filePath, folder: "../ZibriSchemaTests/Snippets")

    @Test(arguments: suite.names)
    func snippet(_ name: String) throws {
        let actual = try Self.suite.actual(name) { bytes, file in
            let result = SpecChecker.check(bytes: bytes, file: file)
            return (result.diagnostics, result.source)
        }
        let expected = try #require(Self.suite.expected(name), "no \(name).expected; run with ZIBRI_UPDATE_SNIPPETS=1")
        #expect(actual == expected)
    }

    @Test func everyRuleHasASnippet() {
        let covered = Self.suite.rulesCovered.union(Self.linterSuite.rulesCovered)
        // A snippet over the 8 MiB limit would bloat the repository; YAMLLoaderTests covers it.
        let coveredByUnitTests: Set = ["file-too-large"]
        let missing = LintRules.all.map(\.id).filter { !covered.contains($0) && !coveredByUnitTests.contains($0) }
        #expect(missing.isEmpty, "rules without a snippet: \(missing)")
        let unknown = covered.subtracting(LintRules.all.map(\.id))
        #expect(unknown.isEmpty, "rules missing from LintRules.all: \(unknown)")
    }
}
