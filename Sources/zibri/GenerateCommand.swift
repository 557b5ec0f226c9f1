import ArgumentParser
import Foundation
import ZibriCodegen
import ZibriSchema
import ZibriValidation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate code from a spec.",
        subcommands: [Swift.self]
    )

    struct Swift: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "swift",
            abstract:
                "Write the spec's models as Codable structs and typed registration helpers for its handlers (what the ZibriGenerator build plugin writes)."
        )

        @Argument(help: "The spec file.")
        var spec: String

        @Option(help: "Write <spec name>.swift into this folder instead of printing the source.")
        var output: String?

        @Option(help: "The access of the generated declarations: public or internal.")
        var access = "internal"

        @Option(help: "Put every type in an enum of this name (and register handlers with app.<name>Handlers).")
        var namespace: String?

        func validate() throws {
            guard SwiftGenerationOptions.Access(rawValue: access) != nil else {
                throw ValidationError("--access must be public or internal, is '\(access)'")
            }
            if let namespace,
                namespace.isEmpty || !namespace.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
                    || namespace.first?.isNumber == true
            {
                throw ValidationError("--namespace must be a Swift type name, is '\(namespace)'")
            }
        }

        func run() throws {
            let result: SwiftGeneration.Result
            do {
                result = try SwiftGeneration.run(
                    specAt: spec,
                    options: SwiftGenerationOptions(access: .init(rawValue: access) ?? .internal, namespace: namespace))
            } catch {
                FileHandle.standardError.write(
                    Data("zibri: error: cannot read '\(spec)': \(error.localizedDescription)\n".utf8))
                throw ExitCode(ZibriCommand.usageExitCode)
            }
            var sources: [String: SpecSource] = [:]
            if let source = result.check.source { sources[spec] = source }
            // Warnings too, as a compiler prints them; errors stop here.
            if !result.check.diagnostics.isEmpty {
                FileHandle.standardError.write(
                    Data(DiagnosticRenderer().render(result.check.diagnostics, sources: sources).utf8))
            }
            guard let source = result.source else { throw ExitCode(1) }
            guard let output else {
                print(source, terminator: "")
                return
            }
            let file = URL(fileURLWithPath: output).appendingPathComponent(
                SwiftGeneration.outputFileName(forSpec: spec))
            do {
                try FileManager.default.createDirectory(
                    at: URL(fileURLWithPath: output), withIntermediateDirectories: true)
                try Data(source.utf8).write(to: file, options: .atomic)
            } catch {
                FileHandle.standardError.write(
                    Data("zibri: error: cannot write '\(file.path)': \(error.localizedDescription)\n".utf8))
                throw ExitCode(ZibriCommand.usageExitCode)
            }
            FileHandle.standardError.write(Data("zibri: wrote \(file.path)\n".utf8))
        }
    }
}
