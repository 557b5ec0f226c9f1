import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

/// The greeting is written the moment the upgrade is done, often in the same read as the 101
/// response: HummingbirdWSClient delivers it (what it loses is a refusal read together with the
/// server's end of input; see docs/protocol.md and ZibriClientTests' FirstFrameTimeoutTests).
@Suite(.timeLimit(.minutes(2))) struct FirstFrameTests {
    static let rounds = 200

    static func application() throws -> ZibriApplication {
        var logger = Logger(label: "first-frame-test")
        logger.logLevel = .critical
        let spec = """
            zibri: "1"
            info: { title: First, version: "1" }
            storage: memory
            websocket: { path: /ws }
            """
        return try ZibriApplication(yaml: spec, environment: [:], logger: logger)
    }

    /// The first frame of one connection.
    static func firstFrame(port: Int) async throws -> JSONValue? {
        let first = Collected()
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/ws", logger: Logger(label: "first-frame-client")
        ) { inbound, outbound, _ in
            var frames = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
            if case .text(let text)? = try await frames.next() { await first.set(text) }
            try await outbound.close(.normalClosure, reason: nil)
        }
        return await first.value
    }

    actor Collected {
        var value: JSONValue?
        func set(_ text: String) { value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
    }

    @Test func everyGreetingArrives() async throws {
        try await Self.application().makeApplication().test(.live) { client in
            let port = try #require(client.port)
            for round in 0..<Self.rounds {
                let frame = try await Self.firstFrame(port: port)
                #expect(frame?["event"] == "ws:connected", "connection \(round)")
                if frame?["event"] != "ws:connected" { break }
            }
        }
    }
}
