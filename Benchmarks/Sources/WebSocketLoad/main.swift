// The WebSocket benchmark's load generator.
//   WebSocketLoad ack URL CLIENTS SECONDS
//     CLIENTS connections, each sending a ChatMessage with an ack and waiting for the answer
//     before the next; prints "ack MESSAGES_PER_SECOND P50_MS P99_MS".
//   WebSocketLoad broadcast URL[,URL…] MEMBERS MESSAGES
//     MEMBERS connections join room:bench (spread over the URLs in turn: several nodes); one more,
//     on the first URL, sends MESSAGES broadcasts; prints "broadcast DELIVERIES_PER_SECOND"
//     (MEMBERS × MESSAGES over the time until the last arrived).
//   WebSocketLoad log URL[,URL…] SENDERS MESSAGES
//     SENDERS connections (spread over the URLs) each send MESSAGES broadcasts to room:bench,
//     which nobody joined, each waiting for its answer (so each message is logged); prints
//     "log MESSAGES_PER_SECOND": the rate at which the store logs messages from many senders.
//   WebSocketLoad replay URL COUNT 0
//     A client joins room:bench and leaves; COUNT messages go to the room; the client reconnects
//     with its session; prints "replay MILLISECONDS" from the reconnect to the last replayed frame.
import Foundation
import HummingbirdWSClient
import Logging

actor Tally {
    var latencies: [Double] = []
    var finished = 0
    var ready = 0
    func add(_ values: [Double]) { latencies += values }
    func finish() { finished += 1 }
    func arrive() { ready += 1 }
}

@main
struct WebSocketLoad {
    static let logger = Logger(label: "load")

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 5, let count = Int(arguments[3]), let amount = Double(arguments[4]) else {
            print("usage: WebSocketLoad ack URL CLIENTS SECONDS | broadcast URL MEMBERS MESSAGES")
            exit(2)
        }
        if arguments[1] == "ack" {
            try await ack(url: arguments[2], clients: count, seconds: amount)
        } else if arguments[1] == "log" {
            try await log(urls: arguments[2], senders: count, messages: Int(amount))
        } else if arguments[1] == "replay" {
            try await replay(url: arguments[2], count: count)
        } else {
            try await broadcast(url: arguments[2], members: count, messages: Int(amount))
        }
    }

    static func isAnswer(_ text: String, ack: Int) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return false
        }
        return object["event"] as? String == "ws:response" && object["ack"] as? Int == ack
    }

    static func ack(url: String, clients: Int, seconds: Double) async throws {
        let tally = Tally()
        let body = String(repeating: "hello benchmark ", count: 8)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        var latencies: [Double] = []
                        var ack = 0
                        while ContinuousClock.now < deadline {
                            ack += 1
                            let start = ContinuousClock.now
                            try await outbound.write(
                                .text(
                                    #"{"event": "chat message", "body": {"room": "\#(client)", "message": "\#(body)"}, "ack": \#(ack)}"#
                                ))
                            while case .text(let text)? = try await messages.next(), !isAnswer(text, ack: ack) {}
                            let elapsed = ContinuousClock.now - start
                            latencies.append(
                                Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds)
                                    / 1e15)
                        }
                        await tally.add(latencies)
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let sorted = await tally.latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        print(
            String(
                format: "ack %.0f %.3f %.3f", Double(sorted.count) / seconds, percentile(0.5), percentile(0.99)))
    }

    static func log(urls: String, senders: Int, messages: Int) async throws {
        let nodes = urls.split(separator: ",").map(String.init)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    _ = try await WebSocketClient.connect(url: nodes[sender % nodes.count], logger: logger) {
                        inbound, outbound, _ in
                        var answers = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        for index in 1...messages {
                            try await outbound.write(
                                .text(#"{"event": "broadcast", "body": "tick \#(index)", "ack": \#(index)}"#))
                            while case .text(let text)? = try await answers.next(), !isAnswer(text, ack: index) {}
                        }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "log %.0f", Double(senders * messages) / seconds))
    }

    static func broadcast(url urls: String, members: Int, messages: Int) async throws {
        let nodes = urls.split(separator: ",").map(String.init)
        let url = nodes[0]
        let tally = Tally()
        let clock = ContinuousClock()
        let start = try await withThrowingTaskGroup(of: Void.self) { group in
            for member in 0..<members {
                let url = nodes[member % nodes.count]
                group.addTask {
                    _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                        var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        try await outbound.write(
                            .text(#"{"event": "ws:join", "body": {"channel": "room:bench"}, "ack": 1}"#))
                        while case .text(let text)? = try await frames.next(), !isAnswer(text, ack: 1) {}
                        await tally.arrive()
                        var received = 0
                        while received < messages, case .text(let text)? = try await frames.next() {
                            if text.contains(#""event":"tick""#) { received += 1 }
                        }
                        await tally.finish()
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            while await tally.ready < members { try await Task.sleep(for: .milliseconds(5)) }
            let start = clock.now
            // The sender keeps at most 100 messages unanswered (a server queues a bounded number
            // of a connection's messages).
            _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                var answers = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                var answered = 0
                for index in 0..<messages {
                    try await outbound.write(
                        .text(#"{"event": "broadcast", "body": "tick \#(index)", "ack": \#(index)}"#))
                    while index - answered >= 100, case .text(let text)? = try await answers.next() {
                        if text.contains("ws:response") { answered += 1 }
                    }
                }
                while await tally.finished < members { try await Task.sleep(for: .milliseconds(1)) }
                try await outbound.close(.normalClosure, reason: nil)
            }
            try await group.waitForAll()
            return start
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "broadcast %.0f", Double(members * messages) / seconds))
    }

    /// The replay run's state; each connection's closure uses it in turn, never two at once.
    final class ReplayState: @unchecked Sendable {
        var token = ""
        var lastSeq = 0
        var received = 0
        var recovered = false
        var start = ContinuousClock.now
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    static func replay(url: String, count: Int) async throws {
        let state = ReplayState()
        _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
            var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            try await outbound.write(.text(#"{"event": "ws:join", "body": {"channel": "room:bench"}, "ack": 1}"#))
            while case .text(let text)? = try await frames.next() {
                let frame = object(text)
                if frame["event"] as? String == "ws:connected", let data = frame["data"] as? [String: Any] {
                    state.token = data["sessionToken"] as? String ?? ""
                    state.lastSeq = data["lastSeq"] as? Int ?? 0
                }
                if isAnswer(text, ack: 1) { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        try await Task.sleep(for: .milliseconds(200))  // the server notices the close
        _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
            var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            var answered = 0
            for index in 0..<count {
                try await outbound.write(
                    .text(#"{"event": "broadcast", "body": "missed \#(index)", "ack": \#(index)}"#))
                while index - answered >= 100, case .text(let text)? = try await frames.next() {
                    if text.contains("ws:response") { answered += 1 }
                }
            }
            while answered < count, case .text(let text)? = try await frames.next() {
                if text.contains("ws:response") { answered += 1 }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        // Timed from the greeting (which the server sends once the replay is queued) to the last
        // replayed frame: the connection set-up itself is not part of the replay.
        let clock = ContinuousClock()
        _ = try await WebSocketClient.connect(
            url: url + "?session=\(state.token)&lastSeq=\(state.lastSeq)", logger: logger
        ) { inbound, outbound, _ in
            var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            while state.received < count, case .text(let text)? = try await frames.next() {
                if text.contains(#""event":"tick""#) {
                    state.received += 1
                } else if text.contains("ws:connected") {
                    state.start = clock.now
                    state.recovered = text.contains(#""recovered":true"#)
                }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        let elapsed = clock.now - state.start
        guard state.recovered, state.received == count else {
            print("replay failed: recovered \(state.recovered), \(state.received) of \(count)")
            exit(1)
        }
        print(
            String(
                format: "replay %.1f",
                Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
    }
}
