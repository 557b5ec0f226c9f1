import Foundation
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema
import ZibriTesting

/// Hostile client frames, generated from a seed (a failure prints it, so it can be replayed):
/// each gets the answer the protocol gives it, the connection stays usable where the protocol
/// keeps it open, and the server serves new connections after all of them.
@Suite(.timeLimit(.minutes(2))) struct WebSocketFuzzTests {
    static let limit = 1024
    static let spec = """
        zibri: "1"
        info: { title: Fuzz, version: "1" }
        storage: memory
        models:
          Note:
            properties:
              text: { type: string, maxLength: 100 }
              tags: { type: array, items: { type: string }, required: false }
        websocket:
          limits: { maxMessageBytes: \(limit), messagesPerSecond: 1000 }
          routes:
            echo: { handler: echo }
            note: { handler: note, body: Note }
        """

    /// What the server must do with a frame.
    enum Expected: CustomStringConvertible {
        /// Answer with this status and keep the connection.
        case answer(Int)
        /// Close with this code (after a 413 answer for 1009).
        case close(Int)
        /// Pong with the ping's payload and keep the connection.
        case pong

        var description: String {
            switch self {
            case .answer(let status): "answer \(status)"
            case .close(let code): "close \(code)"
            case .pong: "pong"
            }
        }
    }

    /// One hostile case: the frames to send (opcode, payload, fin) and what must happen.
    struct Case {
        let name: String
        let frames: [(opcode: UInt8, payload: [UInt8], fin: Bool)]
        let expected: Expected

        static func text(_ name: String, _ text: String, _ expected: Expected) -> Case {
            Case(name: name, frames: [(0x1, Array(text.utf8), true)], expected: expected)
        }
    }

    static func randomText(_ count: Int, using generator: inout SeededGenerator) -> String {
        let alphabet = Array(#"{}[]":,0123456789.eE+-truefalsnl abc\"#)
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }

    static func cases(seed: UInt64) -> [Case] {
        var generator = SeededGenerator(seed: seed)
        var cases: [Case] = []
        for index in 0..<40 {
            // Random JSON-ish text: never valid as a message (no "event" string key first).
            let text = "{" + randomText(Int.random(in: 0..<200, using: &generator), using: &generator)
            cases.append(.text("json-ish \(index)", text, .answer(400)))
        }
        for index in 0..<10 {
            var bytes = (0..<Int.random(in: 1..<300, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            bytes.append(0xFF)  // never valid UTF-8
            cases.append(Case(name: "random bytes \(index)", frames: [(0x1, bytes, true)], expected: .close(1007)))
        }
        let body = #"{"event": "note", "body": {"text": ""#
        let filler = String(repeating: "x", count: limit - body.utf8.count - 3)
        cases += [
            .text("deep array", String(repeating: "[", count: 1000), .answer(400)),
            .text(
                "deep object", #"{"event": "echo", "body": "# + String(repeating: #"{"a":"#, count: 150) + "1",
                .answer(400)),
            .text("huge number", #"{"event": "echo", "body": 1e999999}"#, .answer(400)),
            .text(
                "long integer", #"{"event": "echo", "body": "# + String(repeating: "9", count: 900) + "}", .answer(400)),
            .text("unknown key", #"{"event": "echo", "colour": 1}"#, .answer(400)),
            .text("event not a string", #"{"event": 1}"#, .answer(400)),
            .text("ack an object", #"{"event": "echo", "ack": {"a": 1}}"#, .answer(400)),
            .text("not an object", #"[1, 2]"#, .answer(400)),
            .text("empty", "", .answer(400)),
            .text("invalid body", #"{"event": "note", "body": {"text": 1, "tags": [1]}}"#, .answer(400)),
            .text("unknown event", #"{"event": "\#(String(repeating: "e", count: 500))"}"#, .answer(404)),
            .text("exactly the limit", body + filler + #""}}"#, .answer(400)),  // text over maxLength 100
            .text("one byte over", body + filler + #"x"}}"#, .close(1009)),
            Case(name: "binary", frames: [(0x2, [1, 2, 3], true)], expected: .close(1003)),
            Case(
                name: "fragmented",
                frames: [
                    (0x1, Array(#"{"event": "#.utf8), false), (0x0, Array(#""echo", "#.utf8), false),
                    (0x0, Array(#""body": 1, "ack": 5}"#.utf8), true),
                ], expected: .answer(200)),
            Case(
                name: "fragments over the limit",
                frames: [
                    (0x1, Array(repeating: 0x20, count: 1000), false), (0x0, Array(repeating: 0x20, count: 100), true),
                ],
                expected: .close(1009)),
            Case(name: "ping with payload", frames: [(0x9, Array("are you there".utf8), true)], expected: .pong),
        ]
        return cases
    }

    @Test func hostileFramesGetTheProtocolsAnswers() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var logger = Logger(label: "ws-fuzz-test")
        logger.logLevel = .critical
        let zibri = try ZibriApplication(yaml: Self.spec, environment: [:], logger: logger)
        zibri.websocket.handle("echo") { (body: JSONValue, _) -> JSONValue? in body }
        zibri.websocket.handle("note") { (body: JSONValue, _) -> JSONValue? in body }
        try await zibri.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            for hostile in Self.cases(seed: seed) {
                try await RawWebSocket.connect(port: port) { socket in
                    _ = try await socket.receive { $0["event"] == "ws:connected" }
                    for frame in hostile.frames {
                        try await socket.send(opcode: frame.opcode, frame.payload, fin: frame.fin)
                    }
                    try await Self.check(&socket, hostile, seed: seed)
                }
            }
            // Still serving: a new connection echoes.
            try await RawWebSocket.connect(port: port) { socket in
                try await socket.send(text: #"{"event": "echo", "body": "alive", "ack": 1}"#)
                #expect(try await socket.receive { $0["ack"] == 1 }["data"] == "alive")
            }
        }
    }

    static func check(_ socket: inout RawWebSocket, _ hostile: Case, seed: UInt64) async throws {
        let context = "case '\(hostile.name)' (seed \(seed)): expected \(hostile.expected)"
        switch hostile.expected {
        case .answer(let status):
            let answer = try await socket.receive { $0["event"] == "ws:response" }
            #expect(answer["status"] == .integer(status), "\(context), got \(answer)")
        case .close(let code):
            let frames = try await socket.untilClose()
            #expect(frames.last?.closeCode == code, "\(context), got \(frames.map(\.opcode))")
            // A whole frame over the limit is answered 413 first; a message whose fragments only
            // add up to too much is closed without it (docs/protocol.md, "Not yet served").
            if code == 1009, hostile.frames.count == 1 {
                #expect(frames.contains { $0.text.contains(#""status":413"#) }, "\(context)")
            }
            return
        case .pong:
            var pong: RawWebSocket.Frame?
            while pong == nil, let frame = try await socket.next() {
                if frame.opcode == RawWebSocket.Frame.pong { pong = frame }
            }
            #expect(pong?.payload == hostile.frames[0].payload, "\(context)")
        }
        // The connection is still usable.
        try await socket.send(text: #"{"event": "echo", "body": "still here", "ack": 999}"#)
        #expect(try await socket.receive { $0["ack"] == 999 }["data"] == "still here", "\(context)")
    }
}
