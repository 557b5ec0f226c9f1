import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

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

    /// Every line about a WebSocket connection, the server's and the handler's, carries the
    /// connection's id, so one client's story can be read out of a busy log.
    @Test func webSocketLinesCarryTheConnectionID() async throws {
        let spec = """
            zibri: "1"
            info: { title: Logs, version: "1" }
            storage: memory
            websocket:
              routes:
                hello: { handler: hello }
                boom: { handler: boom }
            """
        let capture = CapturedLog()
        let app = try ZibriApplication(yaml: spec, environment: [:])
        app.logger = capture.logger()
        app.websocket.handle("hello") { (_: JSONValue, context) -> JSONValue? in
            context.logger.info("hello from the handler")
            return nil
        }
        app.websocket.handle("boom") { (_: JSONValue, _) -> JSONValue? in throw HTTPFixture.Boom() }
        try await app.makeApplication().test(.live) { client in
            try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                try await socket.send(text: #"{"event": "hello", "ack": 1}"#)
                _ = try await socket.receive { $0["ack"] == 1 }
                try await socket.send(text: #"{"event": "boom", "ack": 2}"#)
                _ = try await socket.receive { $0["ack"] == 2 }
                let id = try #require(greeting["data"]?["connectionId"]?.string)
                let hello = capture.lines.first { $0.message == "hello from the handler" }
                #expect(hello?.metadata["zibri.connection.id"] == .string(id))
                let failure = capture.lines.first { $0.level == .error && $0.message.contains("Boom") }
                #expect(failure?.metadata["zibri.connection.id"] == .string(id))
            }
        }
    }
}
