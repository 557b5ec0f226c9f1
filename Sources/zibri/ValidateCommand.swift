import ArgumentParser
import Foundation
import ZibriSchema
import ZibriValidation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate one JSON document against a model of a spec, or an inline schema.",
        discussion: """
            Prints the normalized document (defaults filled in, dates normalized) and exits 0, or \
            prints the RFC 9457 problem document with every problem and exits 1. Exits 2 for an \
            unusable spec (with its diagnostics), an unknown model, or an unreadable input.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Argument(help: "The JSON document; standard input when absent.")
    var file: String?

    @Option(help: "The model to validate against.")
    var model: String?

    @Option(help: "An inline property schema in YAML, e.g. '{ type: array, items: { type: integer } }'.")
    var type: String?

    func validate() throws {
        guard (model == nil) != (type == nil) else {
            throw ValidationError("give exactly one of --model and --type")
        }
    }

    func run() throws {
        let checked: SpecCheckResult
        do {
            checked = try SpecChecker.check(contentsOf: spec)
        } catch {
            fail("cannot read '\(spec)': \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
        }
        guard let compiled = checked.compiled, !checked.diagnostics.hasErrors else {
            var sources: [String: SpecSource] = [:]
            if let source = checked.source { sources[spec] = source }
            FileHandle.standardError.write(
                Data(DiagnosticRenderer().render(checked.diagnostics, sources: sources).utf8))
            throw ExitCode(ZibriCommand.usageExitCode)
        }
        let validator: Validator
        if let model {
            guard let found = compiled.validator(forModel: model) else {
                let names = compiled.spec.models.map(\.name)
                let hint = Suggestions.hint(for: model, in: names).map { " (\($0))" } ?? ""
                fail("unknown model '\(model)'\(hint); the spec has: \(names.joined(separator: ", "))")
            }
            validator = found
        } else {
            let (schema, diagnostics) = SpecPipeline.schema(yaml: type!, file: "--type", in: compiled.spec)
            guard let schema else {
                FileHandle.standardError.write(Data(DiagnosticRenderer().render(diagnostics, sources: [:]).utf8))
                throw ExitCode(ZibriCommand.usageExitCode)
            }
            do {
                validator = try compiled.validator(for: schema)
            } catch {
                FileHandle.standardError.write(Data(DiagnosticRenderer().render(error.diagnostics, sources: [:]).utf8))
                throw ExitCode(ZibriCommand.usageExitCode)
            }
        }
        let input: Data
        do {
            input =
                try file.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
                ?? FileHandle.standardInput.readDataToEndOfFile()
        } catch {
            fail(
                "cannot read '\(file ?? "-")': \((error as NSError).localizedFailureReason ?? error.localizedDescription)"
            )
        }
        do {
            let normalized = try validator.validate(json: [UInt8](input))
            print(normalized.jsonText)
        } catch {
            print(ProblemDocument.validation(error).json.jsonText)
            throw ExitCode(1)
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("zibri: error: \(message)\n".utf8))
        Foundation.exit(ZibriCommand.usageExitCode)
    }
}
