import ArgumentParser
import Configuration
import Foundation
import Zibri
import ZibriSchema

/// `zibri serve SPEC --mock`: the real runtime (validation, auth, roles, limits, errors, the
/// WebSocket protocol, channels) with a stand-in for every handler, for front-end developers
/// who start before the back end exists.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a spec without Swift handlers (--mock): every route answers with data fitting its response.",
        discussion: """
            HTTP routes answer with their response's examples, or with data built from its \
            constraints; WebSocket routes with their response's, or with the body they got. \
            Every policy allows. Requests are validated, tokens checked (with the spec's \
            secretEnv) and limits applied as in the real server. State is kept in memory unless \
            ZIBRI_STORAGE_URL says otherwise.
            """
    )

    @Argument(help: "The spec file.")
    var spec: String

    @Flag(help: "Answer with mock data instead of Swift handlers (required: real handlers run in your package).")
    var mock = false

    @Option(help: "The address to bind (default: the spec's server.host, or ZIBRI_HOST).")
    var host: String?

    @Option(help: "The port (default: the spec's server.port, or ZIBRI_PORT; 0 picks a free one).")
    var port: Int?

    func validate() throws {
        guard mock else {
            throw ValidationError(
                "zibri serve runs a spec without its handlers and needs --mock; the real handlers are served by your package (swift run)"
            )
        }
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port must be 0-65535, is \(port)") }
    }

    func run() async throws {
        let title = try ExportCommand.load(spec).spec.info.title
        // The flags over the environment, over a mock's default of a store in memory.
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let port { flags["zibri.port"] = ConfigValue(.string(String(port)), isSecret: false) }
        if let host { flags["zibri.host"] = ConfigValue(.string(host), isSecret: false) }
        let configuration = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(),
            InMemoryProvider(name: "defaults", values: ["zibri.storageUrl": "memory"]),
        ])
        do {
            let app = try ZibriApplication(spec: spec, configuration: configuration)
            for problem in app.registerMocks() {
                FileHandle.standardError.write(Data("\(problem)\n".utf8))
            }
            let host = app.host
            let openAPI = app.compiled.spec.server.openAPIPath
            app.onListening = { port in
                var text = "Mock server for '\(title)' on http://\(host):\(port)"
                if let openAPI { text += " (OpenAPI at \(openAPI))" }
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
            try await app.run()
        } catch let error as ZibriError {
            FileHandle.standardError.write(Data("zibri: error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
