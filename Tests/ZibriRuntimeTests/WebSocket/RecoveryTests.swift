import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriSchema
import ZibriTesting

@testable import ZibriRuntime

/// Connection recovery against a live server: a client that reconnects with its session token
/// and the last seq it saw gets, in order, exactly what it missed, then live traffic. Each test
/// runs on each store.
@Suite(.timeLimit(.minutes(1))) struct RecoveryTests {
    enum Store: String, CaseIterable, Sendable {
        case memory, sqlite

        /// The `storage` setting: a fresh file for SQLite (removed when the tests end).
        var setting: String {
            switch self {
            case .memory: "memory"
            case .sqlite:
                "sqlite:"
                    + TestProcessFolder.url.appendingPathComponent("recovery-\(UUID().uuidString).sqlite").path
            }
        }
    }

    static func spec(window: String = "30s", maxReplay: Int = 100, store: Store) -> String {
        """
        zibri: "1"
        info: { title: Recovery, version: "1" }
        storage: "\(store.setting)"
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        websocket:
          path: /ws
          connection: { auth: optional }
          recovery: { window: \(window), maxReplay: \(maxReplay) }
          limits: { messagesPerSecond: 10000 }
          channels:
            "room:{roomId}": { clientJoin: true }
          routes:
            say: { handler: say }
        """
    }

    static func application(window: String = "30s", maxReplay: Int = 100, store: Store) throws -> ZibriApplication {
        var logger = Logger(label: "recovery-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(
            yaml: spec(window: window, maxReplay: maxReplay, store: store),
            environment: ["TEST_JWT_SECRET": HTTPFixture.secret],
            logger: logger)
        app.websocket.handle("say") { (body: JSONValue, context) -> JSONValue? in
            try await context.websocket.send(event: "said", data: body, toChannel: "room:1", from: context.connection)
            return nil
        }
        return app
    }

    /// What a client keeps to recover: its token, its connection id and the last seq it saw.
    struct Session: Sendable {
        var token: String
        var connectionID: String
        var lastSeq: Int
    }

    /// Connects, joins room:1, reads the greeting and disconnects.
    static func joinAndLeave(port: Int, query: String = "") async throws -> Session {
        try await RawWebSocket.connect(port: port, path: "/ws\(query)") { socket in
            let greeting = try await socket.receive { $0["event"] == "ws:connected" }
            try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
            _ = try await socket.receive { $0["ack"] == 1 }
            try await socket.close()
            return Session(
                token: greeting["data"]?["sessionToken"]?.string ?? "",
                connectionID: greeting["data"]?["connectionId"]?.string ?? "",
                lastSeq: greeting["data"]?["lastSeq"]?.int ?? -1)
        }
    }

    static func query(_ session: Session, token: String? = nil) -> String {
        "?session=\(token ?? session.token)&lastSeq=\(session.lastSeq)"
    }

    /// Waits until the server has noticed the disconnect (the session is no longer connected).
    static func waitUntilGone(_ service: WebSocketService, _ id: String) async throws {
        for _ in 0..<200 where try await service.connection(id) != nil {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test(arguments: Store.allCases) func aReconnectingClientGetsWhatItMissedInOrderThenLiveTraffic(
        store: Store
    ) async throws {
        let app = try Self.application(store: store)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.joinAndLeave(port: port)
            try await Self.waitUntilGone(service, session.connectionID)
            // While it is away: two room messages, one to all, one to another room (not owed).
            try await service.send(event: "news", data: 1, toChannel: "room:1")
            try await service.sendToAll(event: "news", data: 2)
            try await service.send(event: "news", data: 99, toChannel: "room:2")
            try await service.send(event: "news", data: 3, toChannel: "room:1")
            try await service.sendToAll(event: "typing", data: 98, persist: false)  // volatile: not replayed
            try await RawWebSocket.connect(port: port, path: "/ws\(Self.query(session))") { socket in
                let greeting = try await socket.receive()
                #expect(greeting["event"] == "ws:connected")
                #expect(greeting["data"]?["recovered"] == true)
                #expect(greeting["data"]?["replayed"] == 3)
                #expect(greeting["data"]?["connectionId"]?.string == session.connectionID)
                var replayed: [JSONValue] = []
                for _ in 0..<3 { replayed.append(try await socket.receive()) }
                #expect(replayed.map { $0["data"] } == [1, 2, 3])
                let seqs = replayed.compactMap { $0["seq"]?.int }
                #expect(seqs == seqs.sorted() && Set(seqs).count == 3 && seqs.allSatisfy { $0 > session.lastSeq })
                #expect(replayed.first?["channel"] == "room:1")
                // Its membership is live again: the next room message arrives live, after the replay.
                try await service.send(event: "news", data: 4, toChannel: "room:1")
                let live = try await socket.receive()
                #expect(live["data"] == 4)
                #expect((live["seq"]?.int ?? 0) > (seqs.last ?? .max))
            }
        }
    }

    @Test(arguments: Store.allCases) func twoTabsOfOneUserRecoverIndependently(store: Store) async throws {
        let app = try Self.application(store: store)
        let service = app.websocketService
        let token = try await HTTPFixture.token(user: "u1")
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let first = try await Self.joinAndLeave(port: port, query: "?access_token=\(token)")
            let second = try await Self.joinAndLeave(port: port, query: "?access_token=\(token)")
            #expect(first.token != second.token)
            try await Self.waitUntilGone(service, first.connectionID)
            try await Self.waitUntilGone(service, second.connectionID)
            try await service.send(event: "news", data: "to the user", toUser: "u1")
            try await service.send(event: "news", data: "to the room", toChannel: "room:1")
            for tab in [first, second] {
                try await RawWebSocket.connect(port: port, path: "/ws\(Self.query(tab))&access_token=\(token)") {
                    socket in
                    let greeting = try await socket.receive()
                    #expect(greeting["data"]?["recovered"] == true)
                    #expect(greeting["data"]?["connectionId"]?.string == tab.connectionID)
                    #expect(try await socket.receive()["data"] == "to the user")
                    #expect(try await socket.receive()["data"] == "to the room")
                }
            }
        }
    }

    @Test func theLogIsTrimmedToTheWindow() async throws {
        let app = try Self.application(window: "500ms", store: .memory)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { _ in
            for number in 1...50 { try await service.sendToAll(event: "n", data: .integer(number)) }
            // Trimming runs every second here; after it, the 50 are gone and the log is bounded.
            let deadline = ContinuousClock.now + .seconds(5)
            while try await service.store.trimmedThrough() < 50, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await service.store.trimmedThrough() == 50)
            try await service.sendToAll(event: "n", data: 51)
            let left = try await service.store.messages(owedTo: "anyone", userID: nil, after: 0, limit: 100)
            #expect(left.map(\.seq) == [51])
        }
    }

    @Test(arguments: Store.allCases) func unknownAndForeignTokensGetAFreshSession(store: Store) async throws {
        let app = try Self.application(store: store)
        let service = app.websocketService
        let (u1, u2) = (try await HTTPFixture.token(user: "u1"), try await HTTPFixture.token(user: "u2"))
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.joinAndLeave(port: port, query: "?access_token=\(u1)")
            try await Self.waitUntilGone(service, session.connectionID)
            for query in [
                Self.query(session, token: "0123456789abcdef0123456789abcdef") + "&access_token=\(u1)",
                Self.query(session) + "&access_token=\(u2)",  // another user's token
                Self.query(session),  // the same token, anonymous
            ] {
                let greeting = try await RawWebSocket.connect(port: port, path: "/ws\(query)") { socket in
                    try await socket.receive()
                }
                #expect(greeting["data"]?["recovered"] == false)
                #expect(greeting["data"]?["reason"] == "unknown")
                #expect(greeting["data"]?["connectionId"]?.string != session.connectionID)
                #expect(greeting["data"]?["replayed"] == nil)
            }
            // The owner still recovers it (through the header this time).
            let greeting = try await RawWebSocket.connect(
                port: port, path: "/ws?access_token=\(u1)&session=\(session.token)&lastSeq=\(session.lastSeq)"
            ) { socket in try await socket.receive() }
            #expect(greeting["data"]?["recovered"] == true)
            #expect(greeting["data"]?["sessionToken"]?.string == session.token)
        }
    }

    @Test(arguments: Store.allCases) func aSessionExpiresAfterTheWindow(store: Store) async throws {
        let app = try Self.application(window: "300ms", store: store)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.joinAndLeave(port: port)
            try await Self.waitUntilGone(service, session.connectionID)
            try await Task.sleep(for: .milliseconds(500))
            let greeting = try await RawWebSocket.connect(port: port, path: "/ws\(Self.query(session))") { socket in
                try await socket.receive()
            }
            #expect(greeting["data"]?["recovered"] == false)
            #expect(greeting["data"]?["reason"] == "expired")
        }
    }

    @Test(arguments: Store.allCases) func moreThanMaxReplayOwedIsTooManyAndNothingIsReplayed(store: Store) async throws
    {
        let app = try Self.application(maxReplay: 3, store: store)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.joinAndLeave(port: port)
            try await Self.waitUntilGone(service, session.connectionID)
            for number in 1...4 { try await service.send(event: "news", data: .integer(number), toChannel: "room:1") }
            try await RawWebSocket.connect(port: port, path: "/ws\(Self.query(session))") { socket in
                let greeting = try await socket.receive()
                #expect(greeting["data"]?["recovered"] == false)
                #expect(greeting["data"]?["reason"] == "too_many")
                // No partial replay: the next frame is the answer to a ping of ours, not a news item.
                try await socket.send(text: #"{"event": "nope", "ack": 1}"#)
                #expect(try await socket.receive()["ack"] == 1)
            }
        }
    }

    @Test(arguments: Store.allCases) func aTrimmedMessageItMayHaveBeenOwedIsAGap(store: Store) async throws {
        let app = try Self.application(store: store)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.joinAndLeave(port: port)
            try await Self.waitUntilGone(service, session.connectionID)
            try await service.send(event: "news", data: 1, toChannel: "room:1")
            try await service.store.trim(messagesBefore: Date().addingTimeInterval(1), sessionsBefore: .distantPast)
            let greeting = try await RawWebSocket.connect(port: port, path: "/ws\(Self.query(session))") { socket in
                try await socket.receive()
            }
            #expect(greeting["data"]?["recovered"] == false)
            #expect(greeting["data"]?["reason"] == "gap")
        }
    }

    @Test(arguments: Store.allCases) func theSeamBetweenReplayAndLiveHasNoGapAndNoDuplicate(store: Store) async throws {
        let app = try Self.application(maxReplay: 100_000, store: store)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let total = 600
            // A sender broadcasts numbered messages to room:1 all along, from the client's join on.
            let joined = WebSocketPolicyTests.Flag()
            let sender = Task {
                try await joined.wait()
                for number in 1...total {
                    try await service.send(event: "n", data: .integer(number), toChannel: "room:1")
                    if number % 5 == 0 { try await Task.sleep(for: .milliseconds(1)) }
                }
            }
            var seen: [Int] = []
            var seqs: [Int] = []
            var session: Session?
            // The client reconnects several times in the middle of the stream.
            for _ in 0..<4 {
                let path = session.map { "/ws\(Self.query($0))" } ?? "/ws"
                session = try await RawWebSocket.connect(port: port, path: path) { socket in
                    let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                    var current = Session(
                        token: greeting["data"]?["sessionToken"]?.string ?? "",
                        connectionID: greeting["data"]?["connectionId"]?.string ?? "",
                        lastSeq: session?.lastSeq ?? greeting["data"]?["lastSeq"]?.int ?? 0)
                    if session == nil {
                        try await socket.send(text: #"{"event": "ws:join", "body": {"channel": "room:1"}, "ack": 1}"#)
                        _ = try await socket.receive { $0["ack"] == 1 }
                        await joined.set()
                    } else {
                        #expect(greeting["data"]?["recovered"] == true)
                    }
                    for _ in 0..<60 {
                        let frame = try await socket.receive { $0["event"] == "n" }
                        seen.append(frame["data"]?.int ?? 0)
                        seqs.append(frame["seq"]?.int ?? 0)
                        current.lastSeq = frame["seq"]?.int ?? current.lastSeq
                    }
                    try await socket.close()
                    return current
                }
                try await Self.waitUntilGone(service, session?.connectionID ?? "")
            }
            try await sender.value
            // Every number from the first one seen on, each once, in order.
            let first = try #require(seen.first)
            #expect(seen == Array(first..<(first + seen.count)))
            #expect(seqs == seqs.sorted())
            #expect(Set(seqs).count == seqs.count)
        }
    }
}
