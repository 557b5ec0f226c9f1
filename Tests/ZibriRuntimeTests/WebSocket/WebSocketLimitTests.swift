import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Testing
import Zibri
import ZibriSchema

@testable import ZibriRuntime

/// Frames over the size limit, binary frames and the message rate, each with its answer and
/// close code.
@Suite(.timeLimit(.minutes(1))) struct WebSocketLimitTests {
    static let spec = """
        zibri: "1"
        info: { title: Limits, version: "1" }
        storage: memory
        websocket:
          limits: { maxMessageBytes: 64, messagesPerSecond: 3, outboundQueueSize: 8 }
          routes:
            echo: { handler: echo }
            flood: { handler: flood }
        """

    static func application() async throws -> some ApplicationProtocol {
        try await makeZibri().app.makeApplication()
    }

    static func makeZibri(closeTimeout: Duration? = nil) throws -> (app: ZibriApplication, service: WebSocketService) {
        var logger = Logger(label: "ws-limit-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(yaml: spec, environment: [:], logger: logger)
        if let closeTimeout { app.closeTimeout = closeTimeout }
        app.websocket.handle("echo") { (body: JSONValue, _) -> JSONValue? in body }
        app.websocket.handle("flood") { (_: JSONValue, context) -> JSONValue? in
            // Far more bytes than the socket's buffers hold (16 MB), faster than the client can
            // read them: once the socket is not writable, sends are queued without waiting
            // (volatile ones without a trip through the log), and the queue overflows.
            let filler = String(repeating: "x", count: 8 * 1024)  // under the client's 16 KB frame limit
            for index in 0..<2000 {
                try await context.websocket.send(
                    event: "flood", data: ["index": .integer(index), "filler": .string(filler)],
                    to: context.connection.id, persist: false)
            }
            return nil
        }
        return (app, app.websocketService)
    }

    /// Sends `frames`, then reads until the server closes; the frames received and the close code.
    static func exchange(
        port: Int, _ frames: [WebSocketOutboundWriter.OutboundFrame]
    ) async throws -> (
        [JSONValue], WebSocketErrorCode?
    ) {
        let received = WebSocketRuntimeTests.Collected()
        let close = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws", logger: Logger(label: "client"))
        {
            inbound, outbound, _ in
            for frame in frames { try await outbound.write(frame) }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                if case .text(let text) = message { await received.add(text) }
            }
        }
        return (await received.values, close?.closeCode)
    }

    @Test func aMessageOneByteOverTheLimitIsAnswered413ThenClosed1009() async throws {
        let atLimit = #"{"event": "echo", "body": "\#(String(repeating: "x", count: 25))", "ack": 1}"#
        let overLimit = #"{"event": "echo", "body": "\#(String(repeating: "x", count: 26))", "ack": 2}"#
        #expect(atLimit.utf8.count == 64)
        #expect(overLimit.utf8.count == 65)
        try await Self.application().test(.live) { client in
            let (frames, close) = try await Self.exchange(
                port: try #require(client.port), [.text(atLimit), .text(overLimit)])
            #expect(frames.first { $0["ack"] == 1 }?["data"] == .string(String(repeating: "x", count: 25)))
            #expect(frames.contains { $0["status"] == 413 && $0["ack"] == nil })
            #expect(close == .messageTooLarge)
        }
    }

    /// The limit counts a message's fragments together: one that grows over it is answered
    /// 413 before the 1009 close, as a single frame is; one within it is answered.
    @Test func aFragmentedMessageOverTheLimitIsAnswered413ThenClosed1009() async throws {
        let head = #"{"event": "echo", "body": "#
        let fragments: [WebSocketOutboundWriter.OutboundFrame] = [
            .custom(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: head))),
            .custom(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: #"1, "ack": 1}"#))),
            .custom(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: head))),
            .custom(
                WebSocketFrame(
                    fin: false, opcode: .continuation,
                    data: ByteBuffer(string: "\"" + String(repeating: "y", count: 30)))),
            .custom(
                WebSocketFrame(
                    fin: true, opcode: .continuation,
                    data: ByteBuffer(string: String(repeating: "y", count: 30) + #"", "ack": 2}"#))),
        ]
        try await Self.application().test(.live) { client in
            let (frames, close) = try await Self.exchange(port: try #require(client.port), fragments)
            #expect(frames.first { $0["ack"] == 1 }?["data"] == 1)
            #expect(frames.contains { $0["status"] == 413 && $0["ack"] == nil })
            #expect(!frames.contains { $0["ack"] == 2 })
            #expect(close == .messageTooLarge)
        }
    }

    /// A frame over the frame limit is refused by NIO's decoder from its header alone; the
    /// client still gets the 413 answer before the 1009 close.
    @Test func aFrameFarOverTheLimitIsAnswered413ThenClosed1009() async throws {
        try await Self.application().test(.live) { client in
            let frames = try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                #expect(try await socket.next()?.text.contains("ws:connected") == true)
                try await socket.send(opcode: RawWebSocket.Frame.text, Array(repeating: UInt8(ascii: "x"), count: 300))
                return try await socket.untilClose()
            }
            #expect(frames.contains { $0.opcode == RawWebSocket.Frame.text && $0.text.contains(#""status":413"#) })
            #expect(frames.last?.closeCode == 1009)
        }
    }

    /// RFC 6455 §5.1: a client frame without a mask closes the connection with 1002, and is
    /// not handled.
    @Test func anUnmaskedFrameCloses1002() async throws {
        try await Self.application().test(.live) { client in
            let frames = try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                #expect(try await socket.next()?.text.contains("ws:connected") == true)
                try await socket.send(text: #"{"event": "echo", "body": 1, "ack": 1}"#)
                #expect(try await socket.receive { $0["ack"] == 1 }["data"] == 1)
                let unmasked = Array(#"{"event": "echo", "body": 2, "ack": 2}"#.utf8)
                try await socket.send(opcode: RawWebSocket.Frame.text, unmasked, masked: false)
                return try await socket.untilClose()
            }
            #expect(!frames.contains { $0.text.contains(#""ack":2"#) })
            #expect(frames.last?.closeCode == 1002)
        }
    }

    @Test func binaryFramesClose1003() async throws {
        try await Self.application().test(.live) { client in
            let (frames, close) = try await Self.exchange(
                port: try #require(client.port), [.binary(ByteBuffer(bytes: [1, 2, 3]))])
            #expect(frames.first?["event"] == "ws:connected")
            #expect(close == .unacceptableData)
        }
    }

    @Test func goingOverTheRateIsAnswered429ThenClosed1008() async throws {
        try await Self.application().test(.live) { client in
            let messages = (1...12).map {
                WebSocketOutboundWriter.OutboundFrame.text(#"{"event": "echo", "body": \#($0), "ack": \#($0)}"#)
            }
            let (frames, close) = try await Self.exchange(port: try #require(client.port), messages)
            let answered = frames.filter { $0["ok"] == true && $0["ack"] != nil }
            let limited = frames.filter { $0["status"] == 429 }
            #expect(answered.count == 3)
            #expect(limited.count == 3)
            #expect(close == .policyViolation)
        }
    }

    /// Twice the rate, steadily: every other message gets a token, and the client is still
    /// closed once it has had a second's worth of refusals since its bucket was last full.
    @Test func aSteadyFloodAtTwiceTheRateIsClosed1008() async throws {
        try await Self.application().test(.live) { client in
            let frames = try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                #expect(try await socket.next()?.text.contains("ws:connected") == true)
                let sender = Task { [outbound = socket.outbound] in
                    // 6 a second against a rate of 3, for at most 10 s.
                    for index in 1...60 {
                        let text = #"{"event": "echo", "body": \#(index), "ack": \#(index)}"#
                        var frame: [UInt8] = [0x81, 0x80 | UInt8(text.utf8.count), 1, 2, 3, 4]
                        frame += text.utf8.enumerated().map { $0.element ^ UInt8($0.offset % 4 + 1) }
                        guard (try? await outbound.write(ByteBuffer(bytes: frame))) != nil else { return }
                        try? await Task.sleep(for: .milliseconds(166))
                    }
                }
                defer { sender.cancel() }
                return try await socket.untilClose()
            }
            let answered = frames.filter { $0.text.contains(#""ok":true"#) && $0.text.contains(#""ack""#) }
            #expect(answered.count > 3)
            #expect(frames.contains { $0.text.contains(#""status":429"#) })
            #expect(frames.last?.closeCode == 1008)
        }
    }

    /// The client reads nothing until its queue has overflowed (the socket's buffers, megabytes,
    /// fill first), then everything: the close frame comes after what the buffers hold. The
    /// close timeout is raised so that reading those megabytes on a loaded machine cannot
    /// outlast it (with the default second such a client may be dropped instead, as one that
    /// never reads is: `aClientThatStopsReadingIsDropped`).
    @Test func aConnectionWhoseQueueOverflowsIsClosed1008() async throws {
        let (app, service) = try Self.makeZibri(closeTimeout: .seconds(40))
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let counted = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/ws", logger: Logger(label: "client")
            ) {
                inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                guard case .text(let greeting)? = try await messages.next(),
                    let id = try JSONDecoder().decode(JSONValue.self, from: Data(greeting.utf8))["data"]?[
                        "connectionId"]?.string
                else {
                    Issue.record("no greeting")
                    return
                }
                try await outbound.write(.text(#"{"event": "flood"}"#))
                let deadline = ContinuousClock.now + .seconds(30)
                while service.live.outbox(id)?.closeRequest == nil, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(service.live.outbox(id)?.closeRequest?.why.code == "outbound-queue-full")
                var floods = 0
                while let message = try await messages.next() {
                    // Counted without parsing: 8 KB frames, megabytes of them.
                    if case .text(let text) = message, text.hasSuffix(#""event":"flood","ok":true,"status":200}"#) {
                        floods += 1
                    }
                }
                #expect(floods > 0)
                // The queue overflowed instead of growing: far from all frames got through.
                #expect(floods < 2000)
            }
            #expect(counted?.closeCode == .policyViolation)
        }
    }

    /// A client cannot pile up work: one message is handled at a time, `maxPendingMessages`
    /// wait, the rest are answered 429 at once; those that waited are all answered.
    @Test func messagesBeyondThePendingLimitAreAnswered429() async throws {
        let spec = """
            zibri: "1"
            info: { title: Pending, version: "1" }
            storage: memory
            websocket:
              limits: { maxPendingMessages: 2, messagesPerSecond: 100 }
              routes:
                slow: { handler: slow }
            """
        var logger = Logger(label: "ws-pending-test")
        logger.logLevel = .critical
        let zibri = try ZibriApplication(yaml: spec, environment: [:], logger: logger)
        let (started, release) = (WebSocketPolicyTests.Flag(), WebSocketPolicyTests.Flag())
        zibri.websocket.handle("slow") { (_: JSONValue, _) -> JSONValue? in
            await started.set()
            try await release.wait()
            return "done"
        }
        try await zibri.makeApplication().test(.live) { client in
            try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                _ = try await socket.receive { $0["event"] == "ws:connected" }
                try await socket.send(text: #"{"event": "slow", "ack": 1}"#)
                try await started.wait()
                for ack in 2...5 { try await socket.send(text: #"{"event": "slow", "ack": \#(ack)}"#) }
                for ack in 4...5 {
                    let refused = try await socket.receive { $0["ack"] == .integer(ack) }
                    #expect(refused["status"] == 429)
                    #expect(refused["error"]?["detail"] == "more than 2 messages are waiting for their handler")
                }
                await release.set()
                for ack in 1...3 { #expect(try await socket.receive { $0["ack"] == .integer(ack) }["data"] == "done") }
            }
        }
    }
}
