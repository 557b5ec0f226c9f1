import Foundation
import Testing
import ZibriSchema
import ZibriTesting

/// schemas/zibri-spec.schema.json and the loader must agree: every valid spec passes both,
/// every spec of the invalid corpus fails both. The JSON Schema side runs Python's
/// `jsonschema` (`pip install jsonschema pyyaml`; `.ci/run` installs them).
@Suite(.timeLimit(.minutes(2))) struct SchemaAgreementTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static func files(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    static var validFiles: [String] {
        files(in: packageRoot.appendingPathComponent("examples")) + files(in: corpus.appendingPathComponent("valid"))
    }

    static var invalidFiles: [String] { files(in: corpus.appendingPathComponent("invalid")) }

    /// File path to the JSON Schema errors Python's validator found.
    static func jsonSchemaErrors(_ files: [String]) throws -> [String: [String]] {
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", packageRoot.appendingPathComponent("scripts/check-spec-schema.py").path] + files)
        guard result.status == 0 else {
            Issue.record("check-spec-schema.py failed (pip install jsonschema pyyaml?): \(result.standardError)")
            return [:]
        }
        return try JSONDecoder().decode([String: [String]].self, from: Data(result.standardOutput.utf8))
    }

    @Test func corporaAreNotEmpty() {
        #expect(Self.validFiles.count >= 3)
        #expect(Self.invalidFiles.count >= 20)
    }

    @Test func validSpecsPassTheLoaderWithoutDiagnosticsAndTheJSONSchema() throws {
        let schemaErrors = try Self.jsonSchemaErrors(Self.validFiles)
        for file in Self.validFiles {
            let result = try SpecPipeline.lint(contentsOf: file)
            #expect(result.diagnostics.isEmpty, "\(file): \(result.diagnostics)")
            #expect(schemaErrors[file] == [], "\(file): JSON Schema says \(schemaErrors[file] ?? ["nothing"])")
        }
    }

    @Test func invalidSpecsFailTheLoaderAndTheJSONSchema() throws {
        let schemaErrors = try Self.jsonSchemaErrors(Self.invalidFiles)
        for file in Self.invalidFiles {
            let result = try SpecPipeline.lint(contentsOf: file)
            #expect(result.diagnostics.hasErrors, "\(file): the loader found no error")
            #expect(schemaErrors[file]?.isEmpty == false, "\(file): the JSON Schema found no error")
        }
    }
}
