import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri

/// Collects log lines, for asserting what the server logs.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []

    func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        lock.withLock { entries.append((level, message, metadata)) }
    }

    var lines: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lock.withLock { entries } }

    func logger() -> Logger {
        Logger(label: "capture") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
            file: String,
            function: String, line: UInt
        ) {
            log.append(level, message.description, metadata.merging(extra ?? [:]) { $1 })
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct RequestLogTests {
    @Test func oneLinePerRequestWithStatusDurationAndRequestID() async throws {
        let capture = CapturedLog()
        let app = try HTTPFixture.application()
        app.logger = capture.logger()
        try await app.makeApplication().test(.router) { client in
            _ = try await client.execute(uri: "/api/echo?n=1", method: .get)
            _ = try await client.execute(uri: "/api/fail", method: .get)
        }
        let requests = capture.lines.filter { $0.message.hasPrefix("GET /api/") }
        #expect(requests.count == 2)
        #expect(
            requests.first?.message.range(of: #"^GET /api/echo 200 [0-9.]+ms$"#, options: .regularExpression) != nil)
        #expect(requests.last?.message.hasPrefix("GET /api/fail 500 ") == true)
        #expect(requests.allSatisfy { $0.metadata["hb.request.id"] != nil })
        // The cause of the 500 is logged (not sent), under the same request id.
        let failure = capture.lines.first { $0.level == .error && $0.message.contains("Boom") }
        #expect(failure != nil)
        #expect(failure?.metadata["hb.request.id"] == requests.last?.metadata["hb.request.id"])
    }
}
