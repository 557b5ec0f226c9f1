import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema
import ZibriTesting

/// `/metrics`, `/health` and `/ready` as a Prometheus server, a load balancer and an
/// orchestrator see them, after real traffic.
@Suite(.timeLimit(.minutes(1))) struct ObservabilityTests {
    static func spec(server: String = "{}", storage: String = "memory") -> String {
        """
        zibri: "1"
        info: { title: Observed, version: "1" }
        server: \(server)
        storage: \(storage)
        models:
          Note:
            properties:
              text: { type: string, minLength: 1 }
        http:
          routes:
            POST /notes: { handler: addNote, body: Note, status: 201, response: Note }
        websocket:
          path: /ws
          channels:
            "room:{id}": { clientJoin: true }
          routes:
            say: { handler: say, body: Note }
        """
    }

    static func application(server: String = "{}", storage: String = "memory") throws -> ZibriApplication {
        var logger = Logger(label: "observability-test")
        logger.logLevel = .warning
        let app = try ZibriApplication(yaml: spec(server: server, storage: storage), environment: [:], logger: logger)
        app.http.handle("addNote") { (input: HTTPInput<JSONValue>, _) in input.body }
        app.websocket.handle("say") { (note: JSONValue, context) -> JSONValue? in
            try await context.websocket.send(event: "said", data: note, toChannel: "room:1", from: context.connection)
            return nil
        }
        return app
    }

    /// The value of one sample line (`name{labels} value`), or nil when the line is not there.
    static func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap {
            Double($0.split(separator: " ").last!)
        }
    }

    @Test func metricsCountTrafficWithLabelsFromTheSpecOnly() async throws {
        let app = try await Self.application().makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for body in [#"{"text": "a"}"#, #"{"text": "b"}"#, #"{"text": ""}"#] {
                try await client.execute(
                    uri: "/notes", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: body)
                ) { _ in }
            }
            _ = try await WebSocketRuntimeTests.session(
                port: port,
                send: [
                    #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#,
                    #"{"event": "say", "body": {"text": "hi"}, "ack": 2}"#,
                    #"{"event": "say", "body": {"text": ""}, "ack": 3}"#,
                    // Events no route has: counted, but never as labels a client could invent.
                    #"{"event": "made up 1", "ack": 4}"#, #"{"event": "made up 2", "ack": 5}"#,
                ],
                until: { $0.filter { $0["event"] == "ws:response" }.count >= 5 })
            // The disconnect is counted once the server has seen the close.
            var text = ""
            for _ in 0..<100 {
                text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                if Self.sample(text, #"zibri_websocket_disconnects_total{reason="client-closed"}"#) == 1 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(Self.sample(text, #"zibri_http_requests_total{method="POST",status="201"}"#) == 2)
            #expect(Self.sample(text, #"zibri_http_requests_total{method="POST",status="400"}"#) == 1)
            #expect(Self.sample(text, #"zibri_validation_failures_total{transport="http",route="POST /notes"}"#) == 1)
            #expect(Self.sample(text, #"zibri_handler_duration_seconds_count{handler="addNote"}"#) == 2)
            #expect(Self.sample(text, #"zibri_websocket_connects_total{result="accepted"}"#) == 1)
            #expect(Self.sample(text, #"zibri_websocket_connections"#) == 0)
            #expect(Self.sample(text, #"zibri_websocket_disconnects_total{reason="client-closed"}"#) == 1)
            #expect(Self.sample(text, #"zibri_websocket_messages_received_total{event="say"}"#) == 2)
            #expect(Self.sample(text, #"zibri_websocket_messages_received_total{event="unknown"}"#) == 2)
            #expect(!text.contains("made up"))
            #expect(Self.sample(text, #"zibri_validation_failures_total{transport="websocket",route="say"}"#) == 1)
            #expect(Self.sample(text, #"zibri_websocket_messages_sent_total{event="said"}"#) == 1)
            #expect(Self.sample(text, #"zibri_store_append_batch_size_count"#) == 1)
            #expect(Self.sample(text, #"zibri_store_append_duration_seconds_count"#) == 1)
        }
    }

    @Test func aRecoveryIsCountedByItsResult() async throws {
        let app = try await Self.application().makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            _ = try await RawWebSocket.connect(port: port, path: "/ws?session=nonsense&lastSeq=0") { socket in
                try await socket.receive()
            }
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(Self.sample(text, #"zibri_websocket_recoveries_total{result="unknown"}"#) == 1)
        }
    }

    @Test func healthAndReadinessAnswerAndEveryEndpointCanMoveOrBeTurnedOff() async throws {
        let app = try await Self.application().makeApplication()
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ready"}"#)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            }
        }
        let moved = try await Self.application(server: "{ metricsPath: /internal/metrics, healthPath: false }")
            .makeApplication()
        try await moved.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/internal/metrics", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .notFound) }
        }
    }

    /// The orchestrator's question: can this node do its work? Not when PostgreSQL is gone.
    @Test func readinessFailsWhenTheStoreIsUnreachable() async throws {
        guard let cluster = try await TemporaryPostgres.start() else {
            print("skipped: PostgreSQL binaries not found")
            return
        }
        let url = try await cluster.makeDatabase()
        // Stopping PostgreSQL can take longer than the keep-alive idle time on a loaded
        // machine, and the test client does not reconnect when the server closes an idle
        // connection.
        let app = try await Self.application(server: "{ requestHeadTimeout: 2m }", storage: url).makeApplication()
        try await app.test(.live) { client in
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .ok) }
            try await cluster.pause()
            // The probes notice within a second; /ready itself never waits on the store.
            let stopped = ContinuousClock.now
            var status = HTTPResponse.Status.ok
            var detail: String?
            while status == .ok, ContinuousClock.now - stopped < .seconds(5) {
                try await client.execute(uri: "/ready", method: .get) { response in
                    status = response.status
                    detail = response.json?["detail"]?.string
                }
                if status == .ok { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == .serviceUnavailable)
            #expect(detail?.hasPrefix("the store is not reachable") == true, "\(detail ?? "")")
            #expect(ContinuousClock.now - stopped < .seconds(2), "noticed after \(ContinuousClock.now - stopped)")
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }
}
