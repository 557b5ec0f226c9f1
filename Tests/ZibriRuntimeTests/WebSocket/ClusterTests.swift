import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriSchema
import ZibriStorage
import ZibriTesting

@testable import ZibriRuntime

/// Several nodes on one PostgreSQL, each a real server on its own port, with real clients:
/// what one node gives its clients, every node gives them (skipped, saying so, without
/// PostgreSQL).
@Suite(.timeLimit(.minutes(2)), .serialized) struct ClusterTests {
    static let spec = """
        zibri: "1"
        info: { title: Cluster, version: "1" }
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        websocket:
          path: /ws
          connection: { auth: optional }
          limits: { messagesPerSecond: 10000 }
          channels:
            "room:{roomId}": { clientJoin: true }
            "team:{teamId}": { clientJoin: true, durable: true }
          routes:
            say: { handler: say }
        """

    /// A node of the cluster as a test sees it.
    struct Node: Sendable {
        let port: Int
        let service: WebSocketService
    }

    static func application(node index: Int, url: String) throws -> ZibriApplication {
        var logger = Logger(label: "cluster-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(
            yaml: spec,
            environment: [
                "ZIBRI_STORAGE_URL": url, "ZIBRI_NODE_ID": "node-\(index)", "TEST_JWT_SECRET": HTTPFixture.secret,
            ], logger: logger)
        app.websocket.handle("say") { (body: JSONValue, context) -> JSONValue? in
            try await context.websocket.send(event: "said", data: body, toChannel: "room:1", from: context.connection)
            return nil
        }
        return app
    }

    /// Runs `body` with `count` nodes serving one fresh database.
    static func withNodes(
        _ count: Int,
        _ body: @escaping @Sendable (_ nodes: [Node], _ cluster: TemporaryPostgres, _ url: String) async throws -> Void
    ) async throws {
        guard let cluster = try await TemporaryPostgres.shared() else {
            print(TemporaryPostgres.skipped)
            return
        }
        let url = try await cluster.makeDatabase()
        try await serve(count: count, url: url, started: []) { nodes in try await body(nodes, cluster, url) }
    }

    static func serve(
        count: Int, url: String, started: [Node], _ body: @escaping @Sendable ([Node]) async throws -> Void
    ) async throws {
        guard started.count < count else { return try await body(started) }
        let app = try application(node: started.count, url: url)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let node = Node(port: try #require(client.port), service: service)
            try await serve(count: count, url: url, started: started + [node], body)
        }
    }

    /// Counts clients that are ready.
    actor Countdown {
        private var arrived = 0
        func arrive() { arrived += 1 }
        /// Fails after `limit` instead of waiting for ever on a client that failed before it arrived.
        func wait(for count: Int, limit: Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + limit
            while arrived < count {
                guard ContinuousClock.now < deadline else {
                    throw CountdownExpired(description: "\(arrived) of \(count) clients were ready after \(limit)")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    struct CountdownExpired: Error, CustomStringConvertible {
        let description: String
    }

    /// What a member saw: its connection id, session token, and the frames it waited for.
    struct Seen: Sendable {
        let connectionID: String
        let token: String
        let frames: [JSONValue]
    }

    /// A client on `port` that joins room:1 (through `ws:join`), says so, then collects `count`
    /// frames of `event`.
    static func member(port: Int, ready: Countdown, count: Int, event: String = "news") async throws -> Seen {
        try await RawWebSocket.connect(port: port) { socket in
            let greeting = try await socket.receive { $0["event"] == "ws:connected" }
            try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
            _ = try await socket.receive { $0["ack"] == 1 }
            await ready.arrive()
            var frames: [JSONValue] = []
            for _ in 0..<count { frames.append(try await socket.receive { $0["event"] == .string(event) }) }
            return Seen(
                connectionID: greeting["data"]?["connectionId"]?.string ?? "",
                token: greeting["data"]?["sessionToken"]?.string ?? "", frames: frames)
        }
    }

    @Test func broadcastsFromEveryNodeReachEveryMemberOnceInOrder() async throws {
        try await Self.withNodes(3) { nodes, _, _ in
            let perNode = 10
            let ready = Countdown()
            try await withThrowingTaskGroup(of: Seen.self) { group in
                // Two members on each node; each node then broadcasts 10 messages, all at once.
                for node in nodes + nodes {
                    group.addTask { try await Self.member(port: node.port, ready: ready, count: perNode * nodes.count) }
                }
                try await ready.wait(for: nodes.count * 2)
                try await withThrowingTaskGroup(of: Void.self) { senders in
                    for (index, node) in nodes.enumerated() {
                        senders.addTask {
                            for number in 0..<perNode {
                                try await node.service.send(
                                    event: "news", data: ["node": .integer(index), "n": .integer(number)],
                                    toChannel: "room:1")
                            }
                        }
                    }
                    try await senders.waitForAll()
                }
                var members = 0
                for try await seen in group {
                    members += 1
                    let seqs = seen.frames.compactMap { $0["seq"]?.int }
                    #expect(seqs.count == perNode * nodes.count)
                    #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "in seq order, each once")
                    for index in nodes.indices {
                        let numbers = seen.frames.filter { $0["data"]?["node"] == .integer(index) }
                            .compactMap { $0["data"]?["n"]?.int }
                        #expect(numbers == Array(0..<perNode), "node \(index)'s messages, in the order it sent them")
                    }
                }
                #expect(members == nodes.count * 2)
            }
        }
    }

    @Test func connectionsOnAnotherNodeCanBeFoundSentToJoinedAndClosed() async throws {
        try await Self.withNodes(2) { nodes, _, _ in
            let (here, there) = (nodes[0], nodes[1])
            let token = try await HTTPFixture.token(user: "u1")
            try await RawWebSocket.connect(port: here.port, path: "/ws?access_token=\(token)") { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                let id = try #require(greeting["data"]?["connectionId"]?.string)
                // Presence through the database.
                #expect(try await there.service.connection(id)?.id == id)
                #expect(try await there.service.connections(ofUser: "u1").map(\.id) == [id])
                try await there.service.send(event: "to-user", data: 0, toUser: "u1")
                #expect(try await socket.receive { $0["event"] == "to-user" }["data"] == 0)
                // A direct send from the other node.
                try await there.service.send(event: "direct", data: 1, to: id)
                #expect(try await socket.receive { $0["event"] == "direct" }["data"] == 1)
                // A volatile one too.
                try await there.service.send(event: "typing", data: 2, to: id, persist: false)
                let typing = try await socket.receive { $0["event"] == "typing" }
                #expect(typing["data"] == 2 && typing["seq"] == nil)
                // One too large for a notice is refused before anyone gets it.
                let huge = JSONValue.string(String(repeating: "x", count: 8_000))
                await #expect(throws: WebSocketError.self) {
                    try await there.service.send(event: "typing", data: huge, to: id, persist: false)
                }
                // Joined to a channel by the other node, then in its member list and reached.
                try await there.service.join(id, channel: "room:7")
                let deadline = ContinuousClock.now + .seconds(10)
                while try await there.service.connections(in: "room:7") != [id] && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try await there.service.connections(in: "room:7") == [id])
                try await there.service.send(event: "room", data: 3, toChannel: "room:7")
                #expect(try await socket.receive { $0["event"] == "room" }["data"] == 3)
                // Asking a client something works on the node that holds it only.
                await #expect(throws: WebSocketError.self) {
                    _ = try await there.service.request(event: "q", data: 0, to: id)
                }
                // Closed by the other node.
                try await there.service.disconnect(id, code: 4000, reason: "bye")
                let frames = try await socket.untilClose()
                #expect(frames.last?.closeCode == 4000)
            }
        }
    }

    @Test func aSessionResumedOnAnotherNodeClosesItsOldSocketWith4409() async throws {
        try await Self.withNodes(2) { nodes, _, _ in
            try await RawWebSocket.connect(port: nodes[0].port) { old in
                let greeting = try await old.receive { $0["event"] == "ws:connected" }
                let token = try #require(greeting["data"]?["sessionToken"]?.string)
                try await RawWebSocket.connect(port: nodes[1].port, path: "/ws?session=\(token)&lastSeq=0") { new in
                    let resumed = try await new.receive { $0["event"] == "ws:connected" }
                    #expect(resumed["data"]?["recovered"] == true)
                    let frames = try await old.untilClose()
                    #expect(frames.last?.closeCode == 4409)
                }
            }
        }
    }

    @Test func aMemberOnOneNodeHearsWhatAClientSaysOnAnother() async throws {
        try await Self.withNodes(2) { nodes, _, _ in
            let ready = Countdown()
            let listener = Task { try await Self.member(port: nodes[0].port, ready: ready, count: 5, event: "said") }
            try await ready.wait(for: 1)
            try await RawWebSocket.connect(port: nodes[1].port) { socket in
                for number in 1...5 {
                    try await socket.send(text: #"{"event": "say", "body": \#(number), "ack": \#(number)}"#)
                    _ = try await socket.receive { $0["ack"] == .integer(number) }
                }
            }
            let seen = try await listener.value
            #expect(seen.frames.map { $0["data"] } == [1, 2, 3, 4, 5])
            #expect(seen.frames.allSatisfy { $0["channel"] == "room:1" && $0["senderConnectionId"] != nil })
        }
    }

    @Test func aNodeWhoseListenerDropsCatchesUpFromTheLog() async throws {
        try await Self.withNodes(2) { nodes, cluster, url in
            let ready = Countdown()
            let listener = Task { try await Self.member(port: nodes[1].port, ready: ready, count: 10) }
            try await ready.wait(for: 1)
            // Both nodes go deaf; the messages sent meanwhile reach node 1's member all the same,
            // and no later message is needed to bring them.
            // (Sent all at once, they are logged in a moment, long before the listener is back.)
            try await cluster.terminateListeners(database: TemporaryPostgres.database(of: url))
            try await withThrowingTaskGroup(of: Void.self) { senders in
                for number in 0..<10 {
                    senders.addTask {
                        try await nodes[0].service.send(event: "news", data: .integer(number), toChannel: "room:1")
                    }
                }
                try await senders.waitForAll()
            }
            let seen = try await listener.value
            #expect(Set(seen.frames.compactMap { $0["data"]?.int }) == Set(0..<10))
            let seqs = seen.frames.compactMap { $0["seq"]?.int }
            #expect(seqs == seqs.sorted())
        }
    }

    @Test func aClientOfAKilledNodeRecoversEverythingOnAnotherNode() async throws {
        guard let cluster = try await TemporaryPostgres.shared() else {
            print(TemporaryPostgres.skipped)
            return
        }
        let url = try await cluster.makeDatabase()
        // Two server processes; the one the listener is on dies with SIGKILL (nothing cleaned up).
        let doomed = try await offThePool { try RestartTests.server(storage: url, environment: ["ZIBRI_NODE_ID": "a"]) }
        let survivor = try await offThePool {
            try RestartTests.server(storage: url, environment: ["ZIBRI_NODE_ID": "b"])
        }
        defer { survivor.kill() }
        let ready = Countdown()
        let listener = Task {
            try await RawWebSocket.connect(port: doomed.port) { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
                _ = try await socket.receive { $0["ack"] == 1 }
                await ready.arrive()
                var frames: [JSONValue] = []
                for _ in 1...10 { frames.append(try await socket.receive { $0["event"] == "said" }) }
                doomed.kill()
                return Seen(
                    connectionID: greeting["data"]?["connectionId"]?.string ?? "",
                    token: greeting["data"]?["sessionToken"]?.string ?? "", frames: frames)
            }
        }
        try await ready.wait(for: 1)
        /// Says each number through the survivor, waiting for each answer (so each is logged).
        func say(_ numbers: ClosedRange<Int>) async throws {
            try await RawWebSocket.connect(port: survivor.port) { socket in
                for number in numbers {
                    try await socket.send(text: #"{"event": "say", "body": \#(number), "ack": \#(number)}"#)
                    _ = try await socket.receive { $0["ack"] == .integer(number) }
                }
            }
        }
        try await say(1...10)
        let before = try await listener.value
        #expect(before.frames.map { $0["data"] } == (1...10).map { JSONValue.integer($0) })
        try await say(11...30)  // while the listener is away
        let lastSeq = before.frames.last?["seq"]?.int ?? 0
        let after = try await RawWebSocket.connect(
            port: survivor.port, path: "/ws?session=\(before.token)&lastSeq=\(lastSeq)"
        ) { socket in
            let greeting = try await socket.receive()
            #expect(greeting["data"]?["recovered"] == true)
            #expect(greeting["data"]?["connectionId"]?.string == before.connectionID)
            var frames: [JSONValue] = []
            for _ in 11...30 { frames.append(try await socket.receive { $0["event"] == "said" }) }
            // Its membership lives on the survivor now: live traffic follows the replay.
            try await say(31...31)
            frames.append(try await socket.receive { $0["event"] == "said" })
            return frames
        }
        #expect(after.map { $0["data"] } == (11...31).map { JSONValue.integer($0) })
        let seqs = (before.frames + after).compactMap { $0["seq"]?.int }
        #expect(seqs == seqs.sorted() && Set(seqs).count == 31)
    }

    @Test func aNodeThatFallsSilentHasItsSessionsClosedByTheOthers() async throws {
        guard let cluster = try await TemporaryPostgres.shared() else {
            print(TemporaryPostgres.skipped)
            return
        }
        let url = try await cluster.makeDatabase()
        let app = try Self.application(node: 0, url: url)
        app.clusterTiming.beatInterval = .milliseconds(50)
        app.clusterTiming.silenceLimit = .milliseconds(500)
        let store = try #require(app.websocketService.shared)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { _ in
            // A node that beat once, long ago, and left a session connected. The session first:
            // the node's beat last, or the reaper (every 50 ms) could remove the node between the
            // two, leaving a session of a node it no longer knows (a race the test once lost).
            try await store.openSession(
                SessionRecord(token: "t-ghost", connectionID: "c-ghost", userID: nil, nodeID: "ghost"))
            _ = try await store.beat(nodeID: "ghost", at: Date().addingTimeInterval(-60))
            let deadline = ContinuousClock.now + .seconds(10)
            while try await store.session(token: "t-ghost")?.disconnectedAt == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            // Disconnected (so its recovery window runs) and still recoverable.
            #expect(try await store.session(token: "t-ghost")?.disconnectedAt != nil)
            #expect(try await service.connection("c-ghost") == nil)
        }
    }

    @Test func aNodeTakenForDeadClosesItsConnectionsWith1012WhenItBeatsAgain() async throws {
        guard let cluster = try await TemporaryPostgres.shared() else {
            print(TemporaryPostgres.skipped)
            return
        }
        let url = try await cluster.makeDatabase()
        let app = try Self.application(node: 0, url: url)
        app.clusterTiming.beatInterval = .milliseconds(50)
        let store = try #require(app.websocketService.shared)
        try await app.makeApplication().test(.live) { client in
            let frames = try await RawWebSocket.connect(port: try #require(client.port)) { socket in
                _ = try await socket.receive { $0["event"] == "ws:connected" }
                // The others reap this node (as if it had been cut off too long); at its next
                // beat it learns so and sends its clients elsewhere. Reaped once it has beaten:
                // a node's first beat finds no row of its own anyway (on a loaded machine the
                // first beat can come after the client is greeted).
                let deadline = ContinuousClock.now + .seconds(15)
                while try await !store.reapNodes(silentSince: Date().addingTimeInterval(60)).contains("node-0") {
                    guard ContinuousClock.now < deadline else {
                        throw CountdownExpired(description: "node-0 never beat")
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return try await socket.untilClose()
            }
            #expect(frames.last?.closeCode == 1012)
        }
    }
}
