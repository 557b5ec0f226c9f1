import ArgumentParser
import Foundation
import ZibriExport
import ZibriSchema
import ZibriValidation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a spec as another format.",
        subcommands: [OpenAPI.self, AsyncAPI.self]
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
            print(OpenAPIExporter.document(for: try ExportCommand.load(spec)).jsonText)
        }
    }

    struct AsyncAPI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "asyncapi",
            abstract:
                "Print the AsyncAPI 3.0 document of the spec's WebSocket side (messages, replies, channels, auth)."
        )

        @Argument(help: "The spec file.")
        var spec: String

        func run() throws {
            guard let document = AsyncAPIExporter.document(for: try ExportCommand.load(spec)) else {
                FileHandle.standardError.write(Data("zibri: error: '\(spec)' has no websocket section\n".utf8))
                throw ExitCode(1)
            }
            print(document.jsonText)
        }
    }

    /// The checked spec, or an exit: 1 with the diagnostics for a spec with errors, the usage
    /// code for a file that cannot be read.
    static func load(_ spec: String) throws -> ResolvedSpec {
        let checked: SpecCheckResult
        do {
            checked = try SpecChecker.check(contentsOf: spec)
        } catch {
            FileHandle.standardError.write(
                Data("zibri: error: cannot read '\(spec)': \(error.localizedDescription)\n".utf8))
            throw ExitCode(ZibriCommand.usageExitCode)
        }
        guard let compiled = checked.compiled, !checked.diagnostics.hasErrors else {
            var sources: [String: SpecSource] = [:]
            if let source = checked.source { sources[spec] = source }
            FileHandle.standardError.write(
                Data(DiagnosticRenderer().render(checked.diagnostics, sources: sources).utf8))
            throw ExitCode(1)
        }
        return compiled.resolved
    }
}
