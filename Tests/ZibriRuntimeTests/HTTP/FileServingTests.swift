import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriRuntime

/// `serveFiles(from:)`: a web front end next to the routes, on a real port.
@Suite(.timeLimit(.minutes(2))) struct FileServingTests {
    static let spec = """
        zibri: "1"
        info: { title: Files, version: "1" }
        storage: memory
        http:
          routes:
            GET /api/ping: { handler: ping }

        """

    @Test func filesAreServedAndAPathWithANulIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zibri-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("<h1>chat</h1>".utf8).write(to: folder.appendingPathComponent("index.html"))
        try Data("console.log(1)".utf8).write(to: folder.appendingPathComponent("app.js"))
        var logger = Logger(label: "files-test")
        logger.logLevel = .error
        let zibri = try ZibriApplication(yaml: Self.spec, environment: [:], logger: logger)
        zibri.http.handle("ping") { (_: HTTPInput<NoBody>, _) in "pong" }
        zibri.serveFiles(from: folder.path)
        let app = try await zibri.makeApplication()
        try await app.test(.live) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "<h1>chat</h1>")
            }
            try await client.execute(uri: "/app.js", method: .get) { response in
                #expect(String(buffer: response.body) == "console.log(1)")
            }
            // The file system would stop at the NUL and serve index.html as a script.
            for path in ["/index.html%00.js", "/index.html%0a", "/%00"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .badRequest, "\(path)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(!String(buffer: response.body).contains("chat"))
                }
            }
            // The spec's routes are untouched (a route without a response schema answers 204).
            try await client.execute(uri: "/api/ping", method: .get) { response in
                #expect(response.status == .noContent)
            }
        }
    }
}
