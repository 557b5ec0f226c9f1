import ArgumentParser
import Foundation

@main
struct ZibriCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zibri",
        abstract: "Zibri: a schema-driven real-time server. Checks and works with Zibri spec files.",
        subcommands: [
            LintCommand.self, ValidateCommand.self, ExportCommand.self, GenerateCommand.self, InitCommand.self,
            ServeCommand.self,
        ]
    )

    /// Exit status for unusable arguments or unreadable files (ArgumentParser would use 64).
    static let usageExitCode: Int32 = 2

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code == .validationFailure ? usageExitCode : code.rawValue)
        }
    }
}
