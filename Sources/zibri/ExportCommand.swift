import ArgumentParser
import Foundation
import ZibriSchema
import ZibriValidation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a spec as another format.",
        subcommands: [OpenAPI.self]
    )

    struct OpenAPI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "openapi",
            abstract:
                "Print the OpenAPI 3.1 document of the spec's HTTP routes (what the server serves at /openapi.json)."
        )

        @Argument(help: "The spec file.")
        var spec: String

        func run() throws {
            let checked: SpecCheckResult
            do {
                checked = try SpecChecker.check(contentsOf: spec)
            } catch {
                FileHandle.standardError.write(
                    Data("zibri: error: cannot read '\(spec)': \(error.localizedDescription)\n".utf8))
                throw ExitCode(ZibriCommand.usageExitCode)
            }
            guard let parsed = checked.spec, !checked.diagnostics.hasErrors else {
                var sources: [String: SpecSource] = [:]
                if let source = checked.source { sources[spec] = source }
                FileHandle.standardError.write(
                    Data(DiagnosticRenderer().render(checked.diagnostics, sources: sources).utf8))
                throw ExitCode(1)
            }
            print(OpenAPIExporter.document(for: parsed).jsonText)
        }
    }
}
