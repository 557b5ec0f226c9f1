import Foundation
import HummingbirdTesting
import Logging
import Testing
import Zibri
import ZibriSchema

@testable import ZibriRuntime

/// Durable channels against a live server on each store: the membership is the user's, on
/// every connection of the user from the moment it opens, until the user leaves.
@Suite(.timeLimit(.minutes(1))) struct DurableMembershipTests {
    typealias Store = RecoveryTests.Store

    static func spec(store: Store) -> String {
        """
        zibri: "1"
        info: { title: Durable, version: "1" }
        storage: "\(store.setting)"
        auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
        websocket:
          path: /ws
          connection: { auth: optional }
          recovery: { window: 30s }
          limits: { messagesPerSecond: 10000 }
          channels:
            "room:{roomId}": { clientJoin: true, durable: true }
            "lobby": { clientJoin: true }
            "desk:{deskId}": { clientJoin: true, durable: true, join: canSitAt, rejoin: check }
          routes:
            say: { handler: say, body: { type: object, properties: { channel: { type: string, required: true } } } }
        """
    }

    /// The users `canSitAt` lets in.
    actor Seats {
        var allowed: Set<String> = ["u1"]
        func refuse(_ user: String) { allowed.remove(user) }
        func allows(_ user: String?) -> Bool { user.map(allowed.contains) ?? false }
    }

    static func application(store: Store, seats: Seats = Seats()) throws -> ZibriApplication {
        var logger = Logger(label: "durable-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(
            yaml: spec(store: store), environment: ["TEST_JWT_SECRET": HTTPFixture.secret], logger: logger)
        app.websocket.handle("say") { (body: JSONValue, context) -> JSONValue? in
            try await context.websocket.send(
                event: "said", data: body, toChannel: body["channel"]?.string ?? "", from: context.connection)
            return nil
        }
        app.policies.join("canSitAt") { connection, _, _ in await seats.allows(connection.userID) }
        return app
    }

    static func path(_ token: String) -> String { "/ws?access_token=\(token)" }

    /// Joins (or leaves) `channel` and checks the answer.
    static func ask(_ socket: inout RawWebSocket, _ event: String, _ channel: String, ack: Int) async throws {
        try await socket.send(text: #"{"event": "\#(event)", "body": {"channel": "\#(channel)"}, "ack": \#(ack)}"#)
        let answer = try await socket.receive { $0["ack"] == .integer(ack) }
        #expect(answer["ok"] == true, "\(event) \(channel): \(answer)")
    }

    /// Whether the socket still gets `channel`'s messages: a message to the channel, then one
    /// to the user; the user's arrives after the channel's if the socket is still a member.
    static func isMember(
        _ socket: inout RawWebSocket, of channel: String, user: String, service: WebSocketService
    ) async throws -> Bool {
        let marker = UUID().uuidString
        try await service.send(event: "probe", data: .string(marker), toChannel: channel)
        try await service.send(event: "marker", data: .string(marker), toUser: user)
        var member = false
        while true {
            let frame = try await socket.receive { $0["data"] == .string(marker) }
            if frame["event"] == "marker" { return member }
            member = true
        }
    }

    @Test(arguments: Store.allCases) func aDurableMembershipIsOnEveryConnectionOfTheUser(store: Store) async throws {
        let app = try Self.application(store: store)
        let service = app.websocketService
        let (u1, u2) = (try await HTTPFixture.token(user: "u1"), try await HTTPFixture.token(user: "u2"))
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { first in
                let greeting = try await first.receive { $0["event"] == "ws:connected" }
                #expect(greeting["data"]?["channels"] == [])
                try await Self.ask(&first, "ws:join", "room:1", ack: 1)
                try await Self.ask(&first, "ws:join", "lobby", ack: 2)
                // A second tab is in the durable room from its greeting on; the lobby was the
                // first tab's session's.
                try await RawWebSocket.connect(port: port, path: Self.path(u1)) { second in
                    let greeting = try await second.receive { $0["event"] == "ws:connected" }
                    #expect(greeting["data"]?["channels"] == ["room:1"])
                    try await second.send(text: #"{"event": "say", "body": {"channel": "room:1"}, "ack": 1}"#)
                    #expect(try await second.receive { $0["ack"] == 1 }["ok"] == true)
                    let heard = try await first.receive { $0["event"] == "said" }
                    #expect(heard["senderConnectionId"] == greeting["data"]?["connectionId"])
                    #expect(try await Self.isMember(&second, of: "room:1", user: "u1", service: service))
                    #expect(try await !Self.isMember(&second, of: "lobby", user: "u1", service: service))
                }
                // Another user's connection is not in it.
                try await RawWebSocket.connect(port: port, path: Self.path(u2)) { other in
                    let greeting = try await other.receive { $0["event"] == "ws:connected" }
                    #expect(greeting["data"]?["channels"] == [])
                }
            }
            // Every socket closed, no session token: a connection of tomorrow is still in it.
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { third in
                let greeting = try await third.receive { $0["event"] == "ws:connected" }
                #expect(greeting["data"]?["channels"] == ["room:1"])
                try await RawWebSocket.connect(port: port, path: Self.path(u1)) { fourth in
                    _ = try await fourth.receive { $0["event"] == "ws:connected" }
                    // One tab leaves: the user leaves, on every tab.
                    try await Self.ask(&third, "ws:leave", "room:1", ack: 1)
                    #expect(try await !Self.isMember(&fourth, of: "room:1", user: "u1", service: service))
                }
            }
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { fifth in
                let greeting = try await fifth.receive { $0["event"] == "ws:connected" }
                #expect(greeting["data"]?["channels"] == [])
            }
            #expect(try await service.durableChannels(ofUser: "u1").isEmpty)
            // An anonymous connection's join stays with its session.
            try await RawWebSocket.connect(port: port) { anonymous in
                _ = try await anonymous.receive { $0["event"] == "ws:connected" }
                try await Self.ask(&anonymous, "ws:join", "room:2", ack: 1)
                try await RawWebSocket.connect(port: port) { another in
                    let greeting = try await another.receive { $0["event"] == "ws:connected" }
                    #expect(greeting["data"]?["channels"] == [])
                }
            }
        }
    }

    @Test(arguments: Store.allCases) func aRecoveredSessionIsInItsUsersNewChannelsToo(store: Store) async throws {
        let app = try Self.application(store: store)
        let service = app.websocketService
        let u1 = try await HTTPFixture.token(user: "u1")
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let greeting = try await RawWebSocket.connect(port: port, path: Self.path(u1)) { socket in
                try await socket.receive { $0["event"] == "ws:connected" }
            }
            let token = greeting["data"]?["sessionToken"]?.string ?? ""
            let lastSeq = greeting["data"]?["lastSeq"]?.int ?? 0
            // While the first session is away, another tab joins the room and a message goes to it.
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { other in
                _ = try await other.receive { $0["event"] == "ws:connected" }
                try await Self.ask(&other, "ws:join", "room:7", ack: 1)
            }
            try await service.send(event: "missed", data: 1, toChannel: "room:7")
            try await RawWebSocket.connect(
                port: port, path: Self.path(u1) + "&session=\(token)&lastSeq=\(lastSeq)"
            ) { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                #expect(greeting["data"]?["recovered"] == true)
                #expect(greeting["data"]?["channels"] == ["room:7"])
                #expect(greeting["data"]?["replayed"] == 1)
                let replayed = try await socket.receive()
                #expect(replayed["event"] == "missed")
            }
        }
    }

    @Test(arguments: Store.allCases) func aRefusedRecheckDropsTheMembershipAndSaysSo(store: Store) async throws {
        let seats = Seats()
        let app = try Self.application(store: store, seats: seats)
        let service = app.websocketService
        let u1 = try await HTTPFixture.token(user: "u1")
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { first in
                _ = try await first.receive { $0["event"] == "ws:connected" }
                try await Self.ask(&first, "ws:join", "desk:1", ack: 1)
                try await Self.ask(&first, "ws:join", "room:1", ack: 2)
                // Still allowed: the re-check keeps it.
                try await RawWebSocket.connect(port: port, path: Self.path(u1)) { second in
                    let greeting = try await second.receive { $0["event"] == "ws:connected" }
                    #expect(greeting["data"]?["channels"] == ["desk:1", "room:1"])
                    #expect(greeting["data"]?["dropped"] == nil)
                }
                await seats.refuse("u1")
                try await RawWebSocket.connect(port: port, path: Self.path(u1)) { third in
                    let greeting = try await third.receive { $0["event"] == "ws:connected" }
                    #expect(greeting["data"]?["channels"] == ["room:1"])
                    #expect(greeting["data"]?["dropped"] == ["desk:1"])
                }
                // Gone for the user: the first tab is out of it too.
                #expect(try await !Self.isMember(&first, of: "desk:1", user: "u1", service: service))
                #expect(try await Self.isMember(&first, of: "room:1", user: "u1", service: service))
            }
            #expect(try await service.durableChannels(ofUser: "u1") == ["room:1"])
        }
    }

    @Test(arguments: Store.allCases) func aLogoutKeepsTheMembershipsAndForgettingEndsThem(store: Store) async throws {
        let app = try Self.application(store: store)
        let service = app.websocketService
        let u1 = try await HTTPFixture.token(user: "u1")
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { socket in
                _ = try await socket.receive { $0["event"] == "ws:connected" }
                try await Self.ask(&socket, "ws:join", "room:1", ack: 1)
                try await Self.ask(&socket, "ws:join", "room:2", ack: 2)
            }
            #expect(try await service.revokeSessions(ofUser: "u1").count == 1)
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                #expect(greeting["data"]?["channels"] == ["room:1", "room:2"])
                #expect(try await service.forgetMemberships(ofUser: "u1") == ["room:1", "room:2"])
                #expect(try await !Self.isMember(&socket, of: "room:1", user: "u1", service: service))
                #expect(try await service.channels(of: greeting["data"]?["connectionId"]?.string ?? "").isEmpty)
            }
            try await RawWebSocket.connect(port: port, path: Self.path(u1)) { socket in
                let greeting = try await socket.receive { $0["event"] == "ws:connected" }
                #expect(greeting["data"]?["channels"] == [])
            }
        }
    }
}
