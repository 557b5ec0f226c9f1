import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import Zibri
import ZibriSchema
import ZibriTesting

@testable import ZibriRuntime

/// A session's messages keep their order across its sockets, and every one is answered: the
/// resumed socket's first message waits for the older socket's handlers, and gets the answers
/// the older socket could not write.
@Suite(.timeLimit(.minutes(1))) struct SessionTurnsTests {
    // MARK: The turns alone

    static func outbox(_ id: String) -> Outbox {
        Outbox(connection: WebSocketConnection(id: id, userID: nil), capacity: 10)
    }

    @Test func aNewerSocketWaitsUntilTheOlderOnesWorkerHasEnded() async {
        let turns = SessionTurns(keepParked: .seconds(30), maxParked: 10)
        let older = turns.begin(Self.outbox("s")).turn
        let newer = turns.begin(Self.outbox("s")).turn
        await turns.waitForTurn(older)  // the oldest runs at once
        let (ran, ranNow) = AsyncStream.makeStream(of: Int.self)
        async let waiting: Void = {
            await turns.waitForTurn(newer)
            ranNow.yield(2)
            ranNow.finish()
        }()
        ranNow.yield(1)  // before the older turn ends, the newer one has not run
        turns.end(older)
        await waiting
        var order: [Int] = []
        for await step in ran { order.append(step) }
        #expect(order == [1, 2])
        turns.end(newer)
        #expect(turns.count == 0)
    }

    @Test func anAnswerGoesToTheNewestSocketOrIsKeptForTheNextOne() {
        let turns = SessionTurns(keepParked: .seconds(30), maxParked: 2)
        let first = Self.outbox("s")
        let turn = turns.begin(first).turn
        first.finish()  // the socket is gone
        for text in ["a", "b", "c"] { turns.answer(ByteBuffer(string: text), in: turn) }
        turns.end(turn)
        #expect(turns.count == 1)
        let (_, parked) = turns.begin(Self.outbox("s"))
        #expect(parked.map { String(buffer: $0) } == ["a", "b"])  // at most maxParked
    }

    @Test func aTurnAfterAnotherNodesSocketWaitsForItsReleaseOrItsPatience() async {
        let turns = SessionTurns(keepParked: .seconds(30), maxParked: 10)
        turns.awaitRelease("s")
        turns.released("s", answers: [ByteBuffer(string: "early")])  // before the socket is here: kept
        let turn = turns.begin(Self.outbox("s"))
        #expect(turn.parked.map { String(buffer: $0) } == ["early"])
        await turns.waitForTurn(turn.turn)  // released already
        turns.end(turn.turn)
        // A node that never releases holds the turn for `patience` only.
        turns.awaitRelease("t")
        let waiting = turns.begin(Self.outbox("t")).turn
        let started = ContinuousClock.now
        await turns.waitForTurn(waiting, patience: .milliseconds(50))
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        turns.end(waiting)
        turns.released("t", answers: [])  // a release that comes too late changes nothing
        #expect(turns.count == 0)
    }

    @Test func withoutRecoveryNothingIsKept() {
        let turns = SessionTurns(keepParked: .zero, maxParked: 10)
        let first = Self.outbox("s")
        let turn = turns.begin(first).turn
        first.finish()
        turns.answer(ByteBuffer(string: "lost"), in: turn)
        turns.end(turn)
        #expect(turns.count == 0)
    }

    @Test func keptAnswersExpireWithTheRecoveryWindow() async throws {
        let turns = SessionTurns(keepParked: .milliseconds(1), maxParked: 10)
        let first = Self.outbox("s")
        let turn = turns.begin(first).turn
        first.finish()
        turns.answer(ByteBuffer(string: "old"), in: turn)
        turns.end(turn)
        try await Task.sleep(for: .milliseconds(20))
        _ = turns.begin(Self.outbox("other"))  // a begin sweeps
        #expect(turns.count == 1)  // only "other"
        #expect(turns.begin(Self.outbox("s")).parked.isEmpty)
    }

    // MARK: A live server

    /// The order handlers saw the messages in.
    actor Journal {
        var seen: [Int] = []
        func add(_ number: Int) { seen.append(number) }
    }

    /// `environment` may name another store (`ZIBRI_STORAGE_URL`) and the node (`ZIBRI_NODE_ID`).
    static func application(
        journal: Journal, gate: AsyncStream<Void>, environment: [String: String] = [:]
    ) throws -> ZibriApplication {
        var logger = Logger(label: "turns-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(
            yaml: """
                zibri: "1"
                info: { title: Turns, version: "1" }
                storage: memory
                websocket:
                  path: /ws
                  recovery: { window: 30s }
                  limits: { messagesPerSecond: 10000 }
                  routes:
                    work: { handler: work }
                """, environment: environment, logger: logger)
        app.websocket.handle("work") { (body: JSONValue, _) -> JSONValue? in
            let number = body["n"]?.int ?? 0
            // The first message holds its socket's worker until the test lets it go.
            if number == 1 { for await _ in gate {} }
            await journal.add(number)
            return .integer(number)
        }
        return app
    }

    /// Waits until the server has seen the socket of `connectionID` drop (its outbox takes no
    /// more frames) or let it go.
    static func waitUntilDropped(_ service: WebSocketService, _ connectionID: String) async throws {
        while service.live.outbox(connectionID)?.isFinished == false { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// Sends messages 1 to 3 on a socket that then drops (no close frame) while message 1's
    /// handler is held; returns the session token.
    static func sendAndDrop(port: Int) async throws -> (token: String, connectionID: String) {
        try await RawWebSocket.connect(port: port) { socket in
            let greeting = try await socket.receive { $0["event"] == "ws:connected" }
            for number in 1...3 {
                try await socket.send(text: #"{"event": "work", "body": {"n": \#(number)}, "ack": \#(number)}"#)
            }
            return (greeting["data"]?["sessionToken"]?.string ?? "", greeting["data"]?["connectionId"]?.string ?? "")
        }
    }

    /// The acks of the answers a socket gets, until `count` came.
    static func acks(_ socket: inout RawWebSocket, count: Int) async throws -> [Int] {
        var acks: [Int] = []
        while acks.count < count {
            let answer = try await socket.receive { $0["event"] == "ws:response" }
            #expect(answer["ok"] == true)
            acks.append(answer["ack"]?.int ?? -1)
        }
        return acks
    }

    @Test func aResumedSocketsMessagesWaitForTheOlderSocketsAndGetTheirAnswers() async throws {
        let journal = Journal()
        let (gate, openGate) = AsyncStream.makeStream(of: Void.self)
        let app = try Self.application(journal: journal, gate: gate)
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.sendAndDrop(port: port)
            try await RawWebSocket.connect(port: port, path: "/ws?session=\(session.token)&lastSeq=0") { socket in
                let greeting = try await socket.receive()
                #expect(greeting["data"]?["recovered"] == true)
                try await socket.send(text: #"{"event": "work", "body": {"n": 4}, "ack": 4}"#)
                openGate.finish()
                let acks = try await Self.acks(&socket, count: 4)
                #expect(acks == [1, 2, 3, 4])
            }
            #expect(await journal.seen == [1, 2, 3, 4])
        }
    }

    @Test func answersTheOlderSocketCouldNotWriteComeAfterTheResumedGreeting() async throws {
        let journal = Journal()
        let (gate, openGate) = AsyncStream.makeStream(of: Void.self)
        let app = try Self.application(journal: journal, gate: gate)
        let service = app.websocketService
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.sendAndDrop(port: port)
            // Answers written before the server saw the socket drop are lost with the socket (as
            // on any TCP connection); those after it are kept.
            try await Self.waitUntilDropped(service, session.connectionID)
            openGate.finish()
            // The older socket's worker has ended once the server has closed its session.
            try await RecoveryTests.waitUntilGone(service, session.connectionID)
            #expect(await journal.seen == [1, 2, 3])
            try await RawWebSocket.connect(port: port, path: "/ws?session=\(session.token)&lastSeq=0") { socket in
                let greeting = try await socket.receive()
                #expect(greeting["event"] == "ws:connected")
                #expect(greeting["data"]?["recovered"] == true)
                try await socket.send(text: #"{"event": "work", "body": {"n": 4}, "ack": 4}"#)
                let acks = try await Self.acks(&socket, count: 4)
                #expect(acks == [1, 2, 3, 4])
            }
        }
    }

    /// Resumed on another node: the older node ends the handler in progress, answers the queued
    /// messages 409 without handling them (so sending them again is safe), and releases the
    /// session with those answers; the resumed socket's first message runs after that.
    @Test func aSessionResumedOnAnotherNodeWaitsForTheOlderNodesReleaseAndGetsItsAnswers() async throws {
        guard let cluster = try await TemporaryPostgres.shared() else {
            print(TemporaryPostgres.skipped)
            return
        }
        let url = try await cluster.makeDatabase()
        let journal = Journal()
        let (gate, openGate) = AsyncStream.makeStream(of: Void.self)
        let older = try Self.application(
            journal: journal, gate: gate, environment: ["ZIBRI_STORAGE_URL": url, "ZIBRI_NODE_ID": "node-0"])
        let olderService = older.websocketService
        try await older.makeApplication().test(.live) { first in
            let newer = try Self.application(
                journal: journal, gate: gate, environment: ["ZIBRI_STORAGE_URL": url, "ZIBRI_NODE_ID": "node-1"])
            try await newer.makeApplication().test(.live) { second in
                let session = try await Self.sendAndDrop(port: try #require(first.port))
                try await Self.waitUntilDropped(olderService, session.connectionID)
                let path = "/ws?session=\(session.token)&lastSeq=0"
                try await RawWebSocket.connect(port: try #require(second.port), path: path) { socket in
                    let greeting = try await socket.receive()
                    #expect(greeting["data"]?["recovered"] == true)
                    try await socket.send(text: #"{"event": "work", "body": {"n": 4}, "ack": 4}"#)
                    openGate.finish()
                    var answers: [(ack: Int, status: Int)] = []
                    while answers.count < 4 {
                        let answer = try await socket.receive { $0["event"] == "ws:response" }
                        answers.append((answer["ack"]?.int ?? -1, answer["status"]?.int ?? -1))
                    }
                    #expect(answers.map(\.ack) == [1, 2, 3, 4])
                    #expect(answers.map(\.status) == [200, 409, 409, 200])
                }
                #expect(await journal.seen == [1, 4])
            }
        }
    }
}
