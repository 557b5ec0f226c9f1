import Foundation

extension ZibriApplication {
    /// The exit status of a server program that could not start or stopped on an error.
    public static let failureExitCode: Int32 = 1

    /// A server program's `main`: runs `body` (make the application, register its handlers,
    /// `run()`), and when it throws, writes one line, `program: what went wrong`, to standard
    /// error and exits with `failureExitCode`. An error thrown out of an `async throws` `main`
    /// would instead end the process with a crash report and a trap (SIGILL), which reads like
    /// a bug in the server when it is a wrong spec, setting or database file.
    ///
    /// ```swift
    /// @main struct Chat {
    ///     static func main() async {
    ///         await ZibriApplication.runProgram("chat") {
    ///             let app = try ZibriApplication(spec: "chat.zibri.yaml")
    ///             try await app.run()
    ///         }
    ///     }
    /// }
    /// ```
    public static func runProgram(
        _ program: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Void
    ) async {
        do {
            try await body()
        } catch {
            FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
            exit(failureExitCode)
        }
    }
}
