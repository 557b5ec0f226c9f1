import ArgumentParser
import Foundation
import ZibriCodegen
import ZibriSchema
import ZibriValidation

/// `zibri init NAME`: a new Swift package with a spec, an executable that registers every
/// handler and policy the spec names as a stub, and a README; `swift build` in it succeeds.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a Swift package serving a Zibri spec, with a stub for every handler it names."
    )

    @Argument(help: "The package's name (letters, digits, '-' and '_'; it names the executable).")
    var name: String

    @Option(help: "Where to create the package's folder (default: the current folder).")
    var output: String = "."

    @Option(help: "Start from this spec instead of the example (it is copied into the package).")
    var spec: String?

    @Option(
        help:
            "The Zibri package the new one depends on, as a local path (default: the checkout this tool was built from)."
    )
    var zibriPath: String = InitCommand.defaultZibriPath

    /// The package this tool's sources belong to.
    static let defaultZibriPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func run() throws {
        guard name.range(of: #"^[A-Za-z][A-Za-z0-9_-]{0,63}$"#, options: .regularExpression) != nil else {
            throw fail("'\(name)' is not a package name: use letters, digits, '-' and '_', starting with a letter")
        }
        let root = URL(fileURLWithPath: output).appendingPathComponent(name)
        guard !FileManager.default.fileExists(atPath: root.path) else {
            throw fail("'\(root.path)' exists already")
        }
        let specText: String
        if let spec {
            do {
                specText = try String(contentsOfFile: spec, encoding: .utf8)
            } catch {
                throw fail("cannot read '\(spec)': \(error.localizedDescription)")
            }
        } else {
            specText = Self.exampleSpec(name)
        }
        let specFile = "\(name).zibri.yaml"
        let checked = SpecChecker.check(yaml: specText, file: specFile)
        guard let compiled = checked.compiled, !checked.diagnostics.hasErrors else {
            let source = checked.source.map { [specFile: $0] } ?? [:]
            FileHandle.standardError.write(Data(DiagnosticRenderer().render(checked.diagnostics, sources: source).utf8))
            throw ExitCode(1)
        }
        let files: [(String, String)] = [
            ("Package.swift", Self.manifest(name: name, zibriPath: zibriPath)),
            ("Sources/\(name)/\(specFile)", specText),
            ("Sources/\(name)/App.swift", Self.app(name: name, spec: compiled.resolved, specFile: specFile)),
            ("README.md", Self.readme(name: name, specFile: specFile)),
            (".gitignore", ".build/\n.swiftpm/\nPackage.resolved\n*.sqlite\n*.sqlite-wal\n*.sqlite-shm\n"),
        ]
        for (path, text) in files {
            let file = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        print("Created \(root.path). Next: cd \(root.path) && swift run \(name)")
    }

    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("zibri: error: \(message)\n".utf8))
        return ExitCode(ZibriCommand.usageExitCode)
    }

    static func manifest(name: String, zibriPath: String) -> String {
        let identity = URL(fileURLWithPath: zibriPath).standardized.lastPathComponent.lowercased()
        return """
            // swift-tools-version: 6.1
            import PackageDescription

            let package = Package(
                name: \(literal(name)),
                platforms: [.macOS(.v15)],
                dependencies: [
                    .package(path: \(literal(URL(fileURLWithPath: zibriPath).standardized.path)))
                ],
                targets: [
                    .executableTarget(
                        name: \(literal(name)),
                        dependencies: [
                            .product(name: "Zibri", package: \(literal(identity))),
                            .product(name: "ZibriSchema", package: \(literal(identity))),
                        ],
                        // Swift types for the spec's models and handlers, made at every build.
                        plugins: [.plugin(name: "ZibriGenerator", package: \(literal(identity)))]
                    )
                ]
            )

            """
    }

    /// The executable: loads the spec, registers a stub for every handler and policy through the
    /// typed helpers the ZibriGenerator plugin generates, serves.
    static func app(name: String, spec: ResolvedSpec, specFile: String) -> String {
        // The generator says which names get a typed helper, and its Swift name; any other name
        // (one that routes of different types share) is registered by name, with the dynamic value.
        let helpers = SwiftGenerator.helperNames(of: spec)
        let spec = spec.spec
        var registered: Set<String> = []
        var lines: [String] = []
        /// One registration per name and kind: `typed` after `app.handlers.<helper>`, or `byName`.
        func register(_ kind: String, _ name: String, comment: String? = nil, typed: String, byName: String, stub: Bool)
        {
            guard registered.insert("\(kind) \(name)").inserted else { return }
            if let comment { lines.append("        // \(comment)") }
            lines.append("        " + (helpers[name].map { "app.handlers.\($0) \(typed)" } ?? byName))
            if stub { lines += ["            throw stub(\(literal(name)))", "        }"] }
        }
        for route in spec.http.routes {
            guard let handler = route.handler?.value else { continue }
            register(
                "http", handler, comment: "\(route.method) \(route.path)", typed: "{ input, context in",
                byName: "app.http.handle(\(literal(handler))) { (input: HTTPInput<JSONValue>, context) -> JSONValue in",
                stub: true)
        }
        if let websocket = spec.websocket {
            for route in websocket.routes {
                guard let handler = route.handler?.value else { continue }
                register(
                    "websocket", handler,
                    comment: "WebSocket event \(route.event.replacingOccurrences(of: "\n", with: " "))",
                    typed: route.body == nil ? "{ context in" : "{ body, context in",
                    byName: "app.websocket.handle(\(literal(handler))) { (body: JSONValue, context) -> JSONValue? in",
                    stub: true)
            }
            if let policy = websocket.isAllowedToConnect?.value {
                register(
                    "connect", policy, typed: "{ handshake in true }",
                    byName: "app.policies.isAllowedToConnect(\(literal(policy))) { handshake in true }", stub: false)
            }
            for channel in websocket.channels {
                guard let policy = channel.join?.value else { continue }
                register(
                    "join", policy, typed: "{ connection, channel, parameters in true }",
                    byName: "app.policies.join(\(literal(policy))) { connection, channel, parameters in true }",
                    stub: false)
            }
            if let handler = websocket.onConnect?.value {
                register(
                    "onConnect", handler, typed: "{ context in }",
                    byName: "app.websocket.onConnect(\(literal(handler))) { context in }", stub: false)
            }
            if let handler = websocket.onDisconnect?.value {
                register(
                    "onDisconnect", handler, typed: "{ context, reason in }",
                    byName: "app.websocket.onDisconnect(\(literal(handler))) { context, reason in }", stub: false)
            }
        }
        return """
            // Serves \(specFile). Every handler the spec names is registered below as a stub that
            // answers 501 Not Implemented: replace each with the real work. `app.handlers` and the
            // models' structs are generated from the spec at every build (the ZibriGenerator
            // plugin), so the compiler checks each handler's name and types. Every policy allows.
            import Foundation
            import Zibri
            import ZibriSchema

            @main
            struct App {
                static func main() async {
                    // A wrong spec, setting or database file: one line saying what, exit status 1.
                    await ZibriApplication.runProgram(\(literal(name))) { try await serve() }
                }

                static func serve() async throws {
                    let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                        .appendingPathComponent(\(literal(specFile)))
                    let app = try ZibriApplication(spec: spec.path)
            \(lines.joined(separator: "\n"))
                    try await app.run()
                }

                /// The answer of a handler nobody has written yet.
                static func stub(_ handler: String) -> ZibriHTTPError {
                    ZibriHTTPError(status: 501, title: "Not Implemented", detail: "the handler '\\(handler)' is a stub")
                }
            }

            """
    }

    static func readme(name: String, specFile: String) -> String {
        """
        # \(name)

        A Zibri server: `Sources/\(name)/\(specFile)` declares the HTTP
        routes, the WebSocket routes, the models and the connection policy;
        `Sources/\(name)/App.swift` registers a handler for each name the spec gives, through the
        Swift types the ZibriGenerator plugin generates from the spec at every build.

        ```sh
        swift run \(name)                      # serves on the spec's host and port (ZIBRI_PORT overrides)
        zibri lint Sources/\(name)/\(specFile)    # check the spec like a compiler
        ```

        Every handler starts as a stub answering 501; write them one by one. The server refuses
        to start while a handler the spec names is not registered, and says which.

        """
    }

    /// A Swift string literal.
    static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The spec a new package starts from: an HTTP route, a WebSocket route and a channel.
    static func exampleSpec(_ name: String) -> String {
        """
        zibri: "1"
        info:
          title: \(name)
          version: 0.1.0
        server:
          port: 8080
        storage: sqlite:\(name).sqlite
        models:
          Greeting:
            properties:
              message: { type: string }
          ChatMessage:
            additionalProperties: false
            properties:
              room: { type: string, pattern: "^[a-z0-9-]{1,40}$" }
              text: { type: string, minLength: 1, maxLength: 500 }
        http:
          routes:
            GET /hello:
              handler: hello
              query: { name: { type: string, default: world } }
              response: Greeting
        websocket:
          path: /ws
          channels:
            "room:{roomId}": { clientJoin: true }
          routes:
            say:
              handler: say
              body: ChatMessage
              response: ChatMessage

        """
    }
}
