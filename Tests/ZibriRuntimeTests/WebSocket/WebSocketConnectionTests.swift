import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOWebSocket
import ServiceLifecycle
import Testing
import Zibri
import ZibriSchema

@testable import ZibriRuntime

/// A connection's life at the frame level (raw frames: invalid UTF-8, unanswered pings) and
/// under load (many clients at once, a client that stops reading).
@Suite(.timeLimit(.minutes(1))) struct WebSocketConnectionTests {
    /// A spec whose heartbeat is `heartbeat` (the tests of pings use a short one; a client
    /// answers pings only while it reads, so the others keep the default).
    static func spec(heartbeat: String) -> String {
        """
        zibri: "1"
        info: { title: Connections, version: "1" }
        storage: memory
        websocket:
          path: /ws
          heartbeat: \(heartbeat)
          limits: { outboundQueueSize: 16, messagesPerSecond: 100 }
          channels:
            "room:{roomId}": { clientJoin: true }
          routes:
            echo: { handler: echo }
            say: { handler: say }
            pour: { handler: pour }
        """
    }

    static func application(heartbeat: String = "{ interval: 20s, timeout: 10s }") throws -> ZibriApplication {
        var logger = Logger(label: "ws-connection-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(yaml: spec(heartbeat: heartbeat), environment: [:], logger: logger)
        // Echoes the body as an event to the sender, then acks with it.
        app.websocket.handle("echo") { (body: JSONValue, context) -> JSONValue? in
            try await context.websocket.send(event: "echo", data: body, to: context.connection.id)
            return body
        }
        app.websocket.handle("say") { (body: JSONValue, context) -> JSONValue? in
            try await context.websocket.send(event: "said", data: body, toChannel: "room:all", from: context.connection)
            return nil
        }
        // Frames of 64 KiB to the sender, paced so that only a client that stops reading falls behind.
        app.websocket.handle("pour") { (_: JSONValue, context) -> JSONValue? in
            let chunk = JSONValue.string(String(repeating: "x", count: 64 << 10))
            for _ in 0..<1000 {
                do {
                    try await context.websocket.send(
                        event: "chunk", data: chunk, to: context.connection.id, persist: false)
                } catch {
                    break
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            return nil
        }
        return app
    }

    @Test func aServerAskedToStopClosesItsConnectionsWith1012() async throws {
        let app = try Self.application()
        app.port = 0
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        app.onListening = { port in listening.yield(port) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: try await app.service())], logger: app.logger))
        let running = Task {
            defer { listening.finish() }  // a server that cannot start fails the test, not hangs it
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let frames = try await RawWebSocket.connect(port: port) { socket in
            _ = try await socket.receive { $0["event"] == "ws:connected" }
            await group.triggerGracefulShutdown()
            return try await socket.untilClose()
        }
        // Service restart: the client reconnects at once (to another node) and recovers there.
        #expect(frames.last?.closeCode == 1012)
        try await running.value
    }

    @Test func aConnectionThatNeverSpeaksDoesNotHoldUpAStoppingServer() async throws {
        // Browsers open spare connections and send nothing on them for minutes.
        let server = try await RunningServer(try Self.application())
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(server.port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        try await Task.sleep(for: .milliseconds(100))
        #expect(await server.stop(within: .seconds(5)), "the server did not stop within 5 seconds")
    }

    @Test func theWebSocketPathAsPlainHTTPAnswers426AndClosesTheConnection() async throws {
        // As when a client asks to upgrade on a kept-alive connection (only a connection's first
        // request can upgrade): the client must come back on a connection of its own.
        try await Self.application().makeApplication().test(.live) { client in
            try await client.execute(uri: "/ws", method: .get) { response in
                #expect(response.status.code == 426)
                #expect(response.headers[.upgrade] == "websocket")
                #expect(response.headers[.connection] == "close")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func invalidUTF8InATextFrameClosesWith1007() async throws {
        try await Self.application().makeApplication().test(.live) { client in
            let frames = try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                #expect(try await socket.next()?.text.contains("ws:connected") == true)
                try await socket.send(opcode: RawWebSocket.Frame.text, [0x22, 0xC3, 0x28, 0x22])
                return try await socket.untilClose()
            }
            #expect(frames.last?.closeCode == 1007)
        }
    }

    static let shortHeartbeat = "{ interval: 200ms, timeout: 200ms }"

    @Test func aClientThatDoesNotAnswerPingsIsClosed() async throws {
        try await Self.application(heartbeat: Self.shortHeartbeat).makeApplication().test(.live) { client in
            let start = ContinuousClock.now
            let frames = try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                try await socket.untilClose()
            }
            #expect(frames.contains { $0.opcode == RawWebSocket.Frame.ping })
            #expect(frames.last?.closeCode == 1001)
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    @Test func aClientThatAnswersPingsStaysConnected() async throws {
        // Pings every second: a loaded test machine must not make a reading client miss one.
        let app = try Self.application(heartbeat: "{ interval: 1s, timeout: 1s }")
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            async let conversation = Conversation.run(port: try #require(client.port)) { conversation in
                // The client reads (and so answers pings) while several heartbeat periods pass ...
                _ = try await conversation.receive { $0["event"] == "late" }
                // ... and the connection still works.
                try await conversation.send(#"{"event": "echo", "body": 1, "ack": 1}"#)
                #expect(try await conversation.answer(to: 1)["data"] == 1)
            }
            try await Task.sleep(for: .milliseconds(3500))
            try await service.sendToAll(event: "late", data: .null)
            _ = try await conversation
        }
    }

    @Test func twoHundredClientsExchangeMessagesWithNothingLostOrDuplicated() async throws {
        try await Self.application().makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let clients = 200
            let perClient = 5
            let joined = Counter()
            let everyoneJoined = Counter()
            let results = try await withThrowingTaskGroup(of: (Int, [JSONValue], [JSONValue]).self) { group in
                for index in 0..<clients {
                    group.addTask {
                        let echoes = WebSocketServiceTests.Frames()
                        let said = WebSocketServiceTests.Frames()
                        try await Conversation.run(port: port, greeting: false) { conversation in
                            try await conversation.send(
                                #"{"event": "ws:join", "body": {"channel": "room:all"}, "ack": 0}"#)
                            _ = try await conversation.answer(to: 0)
                            await joined.increment()
                            for number in 1...perClient {
                                try await conversation.send(
                                    #"{"event": "echo", "body": [\#(index), \#(number)], "ack": \#(number)}"#)
                            }
                            for number in 1...perClient {
                                #expect(
                                    try await conversation.answer(to: number)["data"] == [
                                        .integer(index), .integer(number),
                                    ])
                            }
                            for echo in conversation.seen where echo["event"] == "echo" { await echoes.add(echo) }
                            // Wait for every client to be in the room, then the first one speaks.
                            while await joined.value < clients { try await Task.sleep(for: .milliseconds(10)) }
                            if index == 0 { try await conversation.send(#"{"event": "say", "body": "all"}"#) }
                            await said.add(try await conversation.receive { $0["event"] == "said" })
                            await everyoneJoined.increment()
                            while await everyoneJoined.value < clients { try await Task.sleep(for: .milliseconds(10)) }
                        }
                        return (index, await echoes.values, await said.values)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == clients)
            for (index, echoes, said) in results {
                // Each client got its own echoes, each once, in the order it sent them.
                #expect(echoes.map { $0["data"] } == (1...perClient).map { [.integer(index), .integer($0)] })
                #expect(said.map { $0["data"] } == ["all"])
            }
        }
    }

    @Test func aClientThatStopsReadingIsDropped() async throws {
        let app = try Self.application()
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let frames = try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                try await socket.send(text: #"{"event": "pour"}"#)
                // Read nothing while the server pours up to 64 MiB: the socket's buffers fill, then
                // the connection's queue, and the server gives up on the client.
                let deadline = ContinuousClock.now + .seconds(30)
                while service.live.count == 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                while service.live.count > 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                return try await socket.untilClose()
            }
            // Its socket was dropped (it could not take the close frame): what it reads now ends
            // with the frames that were in the buffers, and far from all of them.
            #expect(service.live.count == 0)
            #expect(frames.last?.opcode != RawWebSocket.Frame.close)
            #expect(frames.filter { $0.text.contains("chunk") }.count < 1000)
        }
    }

    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }
}
