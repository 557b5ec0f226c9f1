import Foundation
import Testing
import ZibriRuntime
import ZibriSchema
import ZibriTesting

/// `server.requestHeadTimeout`, `requestBodyTimeout` and `maxHTTPConnections` on a real port,
/// with clients that misbehave on purpose: one byte and silence, a header at a time, a body at
/// a byte a tick, more connections than allowed.
@Suite(.timeLimit(.minutes(2))) struct RequestDeadlineHandlerTests {
    static func application(server: String) throws -> ZibriApplication {
        let spec = """
            zibri: "1"
            info: { title: Deadlines, version: "1" }
            server: \(server)
            http:
              routes:
                GET /ping: { handler: ping, response: { type: string } }
                GET /slow: { handler: slow, response: { type: string } }
                POST /upload: { handler: upload, body: { type: string } }
            websocket:
              path: /ws
              routes:
                echo: { handler: echo, body: { type: string } }
            """
        let app = try ZibriApplication(yaml: spec, environment: [:])
        app.http.handle("ping") { (_: HTTPInput<NoBody>, _) in "pong" }
        app.http.handle("slow") { (_: HTTPInput<NoBody>, _) in
            try await Task.sleep(for: .milliseconds(1200))
            return "done"
        }
        app.http.handle("upload") { (input: HTTPInput<JSONValue>, _) in input.body }
        app.websocket.handle("echo") { (text: String, _) -> String? in text }
        return app
    }

    static let quick = "{ requestHeadTimeout: 500ms, requestBodyTimeout: 500ms }"

    @Test func aConnectionThatSentOneByteIsClosedAfterTheHeadTimeout() async throws {
        let server = try await RunningServer(try Self.application(server: Self.quick))
        let connection = try await RawHTTPConnection.open(port: server.port)
        try await connection.send("G")
        #expect(await connection.isClosed(within: .seconds(3)))
        #expect(await server.stop(within: .seconds(5)))
    }

    @Test func aHeadSentOneFieldAtATimeIsClosed() async throws {
        let server = try await RunningServer(try Self.application(server: Self.quick))
        let connection = try await RawHTTPConnection.open(port: server.port)
        try await connection.send("GET /ping HTTP/1.1\r\nHost: x\r\n")
        let trickle = Task {
            for index in 0..<30 {
                try await Task.sleep(for: .milliseconds(100))
                try await connection.send("X-Field-\(index): slow\r\n")
            }
        }
        defer { trickle.cancel() }
        #expect(await connection.isClosed(within: .seconds(3)))
        #expect(await server.stop(within: .seconds(5)))
    }

    @Test func aBodySentAByteAtATimeIsClosedUnanswered() async throws {
        let server = try await RunningServer(try Self.application(server: Self.quick))
        let connection = try await RawHTTPConnection.open(port: server.port)
        try await connection.send(
            "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n\"")
        let trickle = Task {
            for _ in 0..<38 {
                try await Task.sleep(for: .milliseconds(100))
                try await connection.send("x")
            }
        }
        defer { trickle.cancel() }
        #expect(await connection.isClosed(within: .seconds(3)))
        #expect(try await connection.closed.get().isEmpty)
        #expect(await server.stop(within: .seconds(5)))
    }

    @Test func aKeptAliveConnectionIdleForTheHeadTimeoutIsClosed() async throws {
        let server = try await RunningServer(try Self.application(server: Self.quick))
        let connection = try await RawHTTPConnection.open(port: server.port)
        try await connection.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await connection.isClosed(within: .seconds(3)))
        #expect(try await connection.closed.get().hasPrefix("HTTP/1.1 200"))
        #expect(await server.stop(within: .seconds(5)))
    }

    /// The clocks stop while the handler works: its time is not the client's.
    @Test func aHandlerSlowerThanTheDeadlinesIsStillAnswered() async throws {
        let server = try await RunningServer(try Self.application(server: Self.quick))
        let response = try await LiveHTTP.request("GET", "http://127.0.0.1:\(server.port)/slow")
        #expect(response.status == 200)
        #expect(response.text == #""done""#)
        #expect(await server.stop(within: .seconds(5)))
    }

    @Test func connectionsOverTheLimitAreAnswered503AndClosedAtOnce() async throws {
        let server = try await RunningServer(
            try Self.application(server: "{ requestHeadTimeout: 30s, maxHTTPConnections: 8 }"))
        // Connections are set up on several event loops: which of the nine is the one too
        // many is not known, only that exactly one is answered 503 and closed at once.
        var held: [RawHTTPConnection] = []
        for _ in 0..<9 { held.append(try await RawHTTPConnection.open(port: server.port)) }
        var refused: [String] = []
        for connection in held where await connection.isClosed(within: .milliseconds(500)) {
            refused.append(try await connection.closed.get())
        }
        #expect(refused.count == 1)
        #expect(refused.first?.hasPrefix("HTTP/1.1 503") == true, "\(refused)")
        for connection in held { connection.close() }
        for connection in held { _ = try await connection.closed.get() }
        // The server sees the closes a moment after the client does.
        var status: Int?
        for _ in 0..<50 where status != 200 {
            status = try? await LiveHTTP.request("GET", "http://127.0.0.1:\(server.port)/ping").status
            if status != 200 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(status == 200)
        #expect(await server.stop(within: .seconds(5)))
    }

    /// A WebSocket connection counts against `websocket.maxConnections` once upgraded, not
    /// against `server.maxHTTPConnections`.
    @Test func anUpgradedConnectionGivesBackItsPlace() async throws {
        let server = try await RunningServer(
            try Self.application(server: "{ requestHeadTimeout: 30s, maxHTTPConnections: 2 }"))
        var sockets: [SilentWebSocket] = []
        defer { for socket in sockets { socket.close() } }
        for _ in 0..<5 {
            let socket = try SilentWebSocket(port: server.port)
            sockets.append(socket)
            #expect(try await offThePool { socket.read(until: Array("ws:connected".utf8), seconds: 5) })
        }
        let response = try await LiveHTTP.request("GET", "http://127.0.0.1:\(server.port)/ping")
        #expect(response.status == 200)
    }

    /// SIGTERM's graceful stop with 50 connections that each sent one byte of a request head:
    /// they are closed at once, not waited for (they held a stopping server for ever).
    @Test func halfOpenConnectionsDoNotHoldUpAStop() async throws {
        let server = try await RunningServer(try Self.application(server: "{ requestHeadTimeout: 60s }"))
        var connections: [RawHTTPConnection] = []
        for _ in 0..<50 {
            let connection = try await RawHTTPConnection.open(port: server.port)
            try await connection.send("G")
            connections.append(connection)
        }
        // Each byte has reached the server once its first request is answered after them.
        #expect(try await LiveHTTP.request("GET", "http://127.0.0.1:\(server.port)/ping").status == 200)
        let start = ContinuousClock.now
        #expect(await server.stop(within: .seconds(5)), "the server did not stop within 5 s")
        #expect(ContinuousClock.now - start < .seconds(2))
        for connection in connections { #expect(await connection.isClosed(within: .seconds(1))) }
    }

    /// A client in the middle of a request (a body at a byte a tick, its own deadline far off)
    /// holds a stop no longer than `server.shutdownTimeout`.
    @Test func aStopEndsWithinTheShutdownTimeoutWhateverTheClientDoes() async throws {
        let server = try await RunningServer(
            try Self.application(server: "{ requestBodyTimeout: 60s, shutdownTimeout: 1s }"))
        let connection = try await RawHTTPConnection.open(port: server.port)
        try await connection.send(
            "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n\"")
        let trickle = Task {
            for _ in 0..<900 {
                try await Task.sleep(for: .milliseconds(50))
                try await connection.send("x")
            }
        }
        defer { trickle.cancel() }
        // Time for the server to read the head even on a loaded machine: a connection whose
        // head has not arrived would be closed at once (it is between requests).
        try await Task.sleep(for: .seconds(1))
        let start = ContinuousClock.now
        #expect(await server.stop(within: .seconds(6)), "the server did not stop within 6 s")
        let elapsed = ContinuousClock.now - start
        #expect(elapsed > .milliseconds(900), "the upload was cut short before the timeout: \(elapsed)")
        #expect(elapsed < .seconds(3), "the stop took \(elapsed)")
    }
}
