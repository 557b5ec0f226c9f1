import Foundation
import Testing
import ZibriTesting

/// `zibri init` writes a package whose spec lints clean and whose executable registers every
/// handler and policy the spec names. (That the package builds and serves is checked by
/// scripts/check-getting-started.py in `.ci/run`, which runs docs/getting-started.md: it
/// compiles every dependency anew, minutes of work.)
@Suite(.timeLimit(.minutes(2))) struct InitCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let zibri = ChildProcess.builtProduct("zibri", packageRoot: root)

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zibri-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func aNewPackageHasALintCleanSpecAndAStubForEveryHandler() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try ChildProcess.run(Self.zibri, ["init", "my-api", "--output", folder.path])
        #expect(result.status == 0, "\(result.standardError)")
        let package = folder.appendingPathComponent("my-api")
        for file in [
            "Package.swift", "Sources/my-api/my-api.zibri.yaml", "Sources/my-api/App.swift", "README.md", ".gitignore",
        ] {
            #expect(FileManager.default.fileExists(atPath: package.appendingPathComponent(file).path), "\(file)")
        }
        let lint = try ChildProcess.run(
            Self.zibri, ["lint", "--strict", package.appendingPathComponent("Sources/my-api/my-api.zibri.yaml").path])
        #expect(lint.status == 0, "\(lint.standardOutput)")
        let app = try String(contentsOf: package.appendingPathComponent("Sources/my-api/App.swift"), encoding: .utf8)
        // Typed stubs, through the helpers the ZibriGenerator plugin generates at build time.
        #expect(app.contains("app.handlers.hello { input, context in"))
        #expect(app.contains("app.handlers.say { body, context in"))
        let manifest = try String(contentsOf: package.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(manifest.contains(#".package(path: "\#(Self.root.standardized.path)")"#), "\(manifest)")
        let identity = Self.root.standardized.lastPathComponent.lowercased()
        #expect(manifest.contains(#"plugins: [.plugin(name: "ZibriGenerator", package: "\#(identity)")]"#))
    }

    @Test func fromAnExistingSpecEveryHandlerAndPolicyIsRegistered() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = Self.root.appendingPathComponent("Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml").path
        let result = try ChildProcess.run(Self.zibri, ["init", "chat", "--output", folder.path, "--spec", spec])
        #expect(result.status == 0, "\(result.standardError)")
        let app = try String(
            contentsOf: folder.appendingPathComponent("chat/Sources/chat/App.swift"), encoding: .utf8)
        for registration in [
            "app.handlers.getUser { input, context in", "app.handlers.createUser { input, context in",
            "app.handlers.updateUser { input, context in", "app.handlers.receiveChatMessage { body, context in",
            "app.handlers.canConnect { handshake in true }",
            "app.handlers.canJoinRoom { connection, channel, parameters in true }",
            "app.handlers.userConnected { context in }", "app.handlers.userDisconnected { context, reason in }",
        ] {
            #expect(app.contains(registration), "\(registration)")
        }
    }

    /// The stubs call the helpers the generator writes, by the generator's own names: a keyword
    /// in backticks, and a name that routes of different types share registered by name, once
    /// per kind. (That such a package compiles was checked by building it; the example's is built
    /// by the getting-started check.)
    @Test func stubsUseTheGeneratorsHelpersAndNamesWithoutOneAreRegisteredByName() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = Self.root.appendingPathComponent("Tests/ZibriCodegenTests/Generated/handlers.yaml").path
        let result = try ChildProcess.run(Self.zibri, ["init", "notes", "--output", folder.path, "--spec", spec])
        #expect(result.status == 0, "\(result.standardError)")
        let app = try String(
            contentsOf: folder.appendingPathComponent("notes/Sources/notes/App.swift"), encoding: .utf8)
        for registration in [
            "app.handlers.`default` { input, context in", "app.handlers.ping { context in",
            "app.handlers.typing { body, context in",
            #"app.http.handle("shared") { (input: HTTPInput<JSONValue>, context) -> JSONValue in"#,
            #"app.websocket.handle("shared") { (body: JSONValue, context) -> JSONValue? in"#,
        ] {
            #expect(app.components(separatedBy: registration).count == 2, "\(registration)")
        }
        #expect(!app.contains("app.handlers.shared"))

        // Two routes of the same types share a name: one helper, registered once.
        let same = folder.appendingPathComponent("same.zibri.yaml")
        try """
        zibri: "1"
        info: { title: T, version: "1" }
        http:
          routes:
            GET /a: { handler: list, response: { type: array, items: { type: string } } }
            GET /b: { handler: list, response: { type: array, items: { type: string } } }

        """.write(to: same, atomically: true, encoding: .utf8)
        let fromSame = try ChildProcess.run(Self.zibri, ["init", "same", "--output", folder.path, "--spec", same.path])
        #expect(fromSame.status == 0, "\(fromSame.standardError)")
        let sameApp = try String(
            contentsOf: folder.appendingPathComponent("same/Sources/same/App.swift"), encoding: .utf8)
        #expect(sameApp.components(separatedBy: "app.handlers.list { input, context in").count == 2, "\(sameApp)")
        #expect(!sameApp.contains("app.http.handle"))
    }

    @Test func badNamesBrokenSpecsAndExistingFoldersAreRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let badName = try ChildProcess.run(Self.zibri, ["init", "9lives", "--output", folder.path])
        #expect(badName.status == 2)
        #expect(badName.standardError.contains("is not a package name"))
        let broken = folder.appendingPathComponent("broken.yaml")
        try "zibri: \"1\"\ninfo: { title: T }\n".write(to: broken, atomically: true, encoding: .utf8)
        let fromBroken = try ChildProcess.run(
            Self.zibri, ["init", "app", "--output", folder.path, "--spec", broken.path])
        #expect(fromBroken.status == 1)
        #expect(fromBroken.standardError.contains("[missing-key]"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("app").path))
        #expect(try ChildProcess.run(Self.zibri, ["init", "app", "--output", folder.path]).status == 0)
        let again = try ChildProcess.run(Self.zibri, ["init", "app", "--output", folder.path])
        #expect(again.status == 2)
        #expect(again.standardError.contains("exists already"))
    }
}
