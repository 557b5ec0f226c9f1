// The tool the ZibriGenerator build plugin runs: `zibri-generator SPEC --output FILE
// [--namespace NAME] [--access public|internal]`. It is `zibri generate swift` without the
// runtime and without argument parsing, so that a package's first build compiles little for it.
// Diagnostics go to standard error as `file:line:column: error: ...`, which SwiftPM and Xcode
// show at the spec's line.
import Foundation
import ZibriCodegen
import ZibriSchema
import ZibriValidation

@main
enum ZibriGeneratorTool {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var spec: String?
        var output: String?
        var options = SwiftGenerationOptions()
        while !arguments.isEmpty {
            let argument = arguments.removeFirst()
            switch argument {
            case "--output", "--namespace", "--access":
                guard !arguments.isEmpty else { fail("\(argument) needs a value") }
                let value = arguments.removeFirst()
                switch argument {
                case "--output": output = value
                case "--namespace": options.namespace = value
                default:
                    guard let access = SwiftGenerationOptions.Access(rawValue: value) else {
                        fail("--access must be public or internal, is '\(value)'")
                    }
                    options.access = access
                }
            default:
                guard spec == nil, !argument.hasPrefix("-") else { fail("unexpected argument '\(argument)'") }
                spec = argument
            }
        }
        guard let spec, let output else { fail("usage: zibri-generator SPEC --output FILE [--namespace NAME]") }
        let result: SwiftGeneration.Result
        do {
            result = try SwiftGeneration.run(specAt: spec, options: options)
        } catch {
            fail("cannot read '\(spec)': \(error.localizedDescription)")
        }
        var sources: [String: SpecSource] = [:]
        if let source = result.check.source { sources[spec] = source }
        if !result.check.diagnostics.isEmpty {
            let text = DiagnosticRenderer(format: .text, colors: false).render(
                result.check.diagnostics, sources: sources)
            FileHandle.standardError.write(Data(text.utf8))
        }
        guard let source = result.source else { exit(1) }
        // Unchanged output keeps its date, so that nothing that depends on it is compiled again.
        if let existing = try? String(contentsOfFile: output, encoding: .utf8), existing == source { return }
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: output).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            fail("cannot write '\(output)': \(error.localizedDescription)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("zibri-generator: error: \(message)\n".utf8))
        exit(1)
    }
}
