import ArgumentParser
import Foundation
import ZibriSchema
import ZibriValidation

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check spec files like a compiler: every problem, with file:line:column.",
        discussion: """
            Exit status: 0 when no errors were found (warnings allowed), 1 when errors were found \
            (or warnings, with --strict), 2 for unusable arguments or an unreadable file.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, github
    }

    enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    @Argument(help: "The spec files to check.")
    var files: [String]

    @Option(help: "Output format: text, json (one document) or github (workflow annotations).")
    var format: OutputFormat = .text

    @Flag(help: "Treat warnings as errors for the exit status.")
    var strict = false

    @Option(help: "Colours in text output: auto (only on a terminal), always or never.")
    var color: ColorChoice = .auto

    func run() throws {
        var diagnostics: [Diagnostic] = []
        var sources: [String: SpecSource] = [:]
        var unreadable = false
        for file in files {
            do {
                let result = try SpecChecker.check(contentsOf: file)
                diagnostics += result.diagnostics
                if let source = result.source { sources[file] = source }
            } catch {
                unreadable = true
                let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
                FileHandle.standardError.write(Data("zibri: error: cannot read '\(file)': \(reason)\n".utf8))
            }
        }
        let renderer = DiagnosticRenderer(
            format: DiagnosticRenderer.Format(rawValue: format.rawValue)!, colors: useColors)
        print(renderer.render(diagnostics, sources: sources), terminator: "")
        if unreadable { throw ExitCode(ZibriCommand.usageExitCode) }
        if diagnostics.hasErrors || (strict && !diagnostics.isEmpty) { throw ExitCode(1) }
    }

    private var useColors: Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto:
            let environment = ProcessInfo.processInfo.environment
            return isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        }
    }
}
