import Foundation
import Testing
import ZibriSchema
public import ZibriStorage

/// The behaviour every `ZibriStore` promises, run against a fresh store from `makeStore`.
/// The in-memory store runs it in our tests; every storage driver must pass it too.
public struct StoreConformanceSuite: Sendable {
    public let makeStore: @Sendable () async throws -> any ZibriStore

    public init(makeStore: @escaping @Sendable () async throws -> any ZibriStore) {
        self.makeStore = makeStore
    }

    /// Every check, each on its own fresh store; failures are recorded as test issues.
    public func run() async throws {
        try await sessionsOpenCloseAndResume()
        try await anOlderEpochDoesNotCloseANewerSocket()
        try await aRestartingNodeClosesItsSessions()
        try await aLogoutRevokesEverySessionOfTheUser()
        try await usersHaveSeveralConnections()
        try await joinAndLeaveAreIdempotentAndSorted()
        try await joiningNeedsAKnownConnection()
        try await membershipsOutliveTheSocketButNotTheSession()
        try await theLogGivesOneIncreasingSequence()
        try await aSessionIsOwedItsOwnUsersChannelsAndBroadcasts()
        try await channelMessagesAreOwedOnlyWhileAMember()
        try await trimmingDropsOldMessagesAndExpiredSessions()
        try await eachLogHasItsOwnLastingEpoch()
        try await aJoinAtThePlaceOfTheLeaveIsOneMembership()
        try await aDurableMembershipCountsEverySessionOfTheUser()
        try await leavingDurablyEndsEverySessionsMembership()
        try await trimmingForgetsEndedDurableMembershipsOnlyWhenNothingIsOwed()
    }

    func eachLogHasItsOwnLastingEpoch() async throws {
        let store = try await makeStore()
        let epoch = try await store.logEpoch()
        #expect(epoch.count == 16 && epoch.allSatisfy(\.isHexDigit))
        _ = try await store.append([LogEntry(recipient: .all, event: "e", data: 1, at: Date())])
        #expect(try await store.logEpoch() == epoch)
        #expect(try await makeStore().logEpoch() != epoch)
    }

    static func session(_ id: String, user: String? = nil, token: String? = nil) -> SessionRecord {
        SessionRecord(
            token: token ?? "token-\(id)", connectionID: id, userID: user, nodeID: "n1",
            connectedAt: Date(timeIntervalSince1970: 1_000))
    }

    func sessionsOpenCloseAndResume() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1", user: "u1"))
        #expect(try await store.connection(id: "c1")?.userID == "u1")
        #expect(try await store.connection(id: "nope") == nil)
        #expect(try await store.connectionCount() == 1)
        try await store.closeSession(connectionID: "c1", epoch: 1, at: Date(), keep: true)
        #expect(try await store.connection(id: "c1") == nil)
        #expect(try await store.connectionCount() == 0)
        #expect(try await store.session(token: "token-c1")?.disconnectedAt != nil)
        // Another user's token is unknown to this user.
        #expect(try await store.resumeSession(token: "token-c1", userID: "u2", nodeID: "n2", at: Date()) == nil)
        #expect(try await store.resumeSession(token: "token-c1", userID: nil, nodeID: "n2", at: Date()) == nil)
        #expect(try await store.resumeSession(token: "unknown", userID: "u1", nodeID: "n2", at: Date()) == nil)
        let resumed = try #require(
            try await store.resumeSession(token: "token-c1", userID: "u1", nodeID: "n2", at: Date()))
        #expect(resumed.connectionID == "c1")
        #expect(resumed.epoch == 2)
        #expect(resumed.nodeID == "n2")
        #expect(resumed.disconnectedAt == nil)
        #expect(try await store.connection(id: "c1")?.nodeID == "n2")
        // Closed without keeping: gone, token and all.
        try await store.closeSession(connectionID: "c1", epoch: 2, at: Date(), keep: false)
        #expect(try await store.session(token: "token-c1") == nil)
        try await store.closeSession(connectionID: "c1", epoch: 2, at: Date(), keep: false)  // unknown: ignored
    }

    func anOlderEpochDoesNotCloseANewerSocket() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1"))
        _ = try await store.resumeSession(token: "token-c1", userID: nil, nodeID: "n1", at: Date())
        try await store.closeSession(connectionID: "c1", epoch: 1, at: Date(), keep: true)
        #expect(try await store.connection(id: "c1") != nil)
    }

    func aLogoutRevokesEverySessionOfTheUser() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1", user: "u1"))
        try await store.openSession(Self.session("c2", user: "u1"))
        try await store.openSession(Self.session("c3", user: "u2"))
        try await store.openSession(Self.session("c4"))
        try await store.join(connectionID: "c2", channel: "room:1", afterSeq: 0)
        try await store.closeSession(connectionID: "c2", epoch: 1, at: Date(), keep: true)
        #expect(try await store.revokeSessions(ofUser: "u1") == ["c1", "c2"])
        // Connected or not, neither can be resumed; their memberships are gone with them.
        #expect(try await store.session(token: "token-c1") == nil)
        #expect(try await store.resumeSession(token: "token-c2", userID: "u1", nodeID: "n1", at: Date()) == nil)
        #expect(try await store.members(ofChannel: "room:1") == [])
        #expect(try await store.connections(ofUser: "u1") == [])
        // Other users' sessions and anonymous ones are untouched.
        #expect(try await store.connection(id: "c3") != nil)
        #expect(try await store.connection(id: "c4") != nil)
        #expect(try await store.revokeSessions(ofUser: "u1") == [])
    }

    func aRestartingNodeClosesItsSessions() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1"))
        try await store.openSession(
            SessionRecord(token: "token-c2", connectionID: "c2", userID: nil, nodeID: "n2"))
        let now = Date(timeIntervalSince1970: 5_000)
        try await store.closeSessions(ofNode: "n1", at: now)
        #expect(try await store.connection(id: "c1") == nil)
        #expect(try await store.session(token: "token-c1")?.disconnectedAt == now)
        #expect(try await store.connection(id: "c2") != nil)
    }

    func usersHaveSeveralConnections() async throws {
        let store = try await makeStore()
        for (id, user) in [("c3", "u1"), ("c1", "u1"), ("c2", "u2"), ("c4", nil)] {
            try await store.openSession(Self.session(id, user: user))
        }
        #expect(try await store.connections(ofUser: "u1").map(\.id) == ["c1", "c3"])
        #expect(try await store.connections(ofUser: "u2").map(\.id) == ["c2"])
        #expect(try await store.connections(ofUser: "u9").isEmpty)
        #expect(try await store.connectionCount() == 4)
    }

    func joinAndLeaveAreIdempotentAndSorted() async throws {
        let store = try await makeStore()
        for id in ["c2", "c1"] { try await store.openSession(Self.session(id)) }
        try await store.join(connectionID: "c2", channel: "room:b", afterSeq: 0)
        try await store.join(connectionID: "c2", channel: "room:a", afterSeq: 0)
        try await store.join(connectionID: "c2", channel: "room:a", afterSeq: 0)
        try await store.join(connectionID: "c1", channel: "room:a", afterSeq: 0)
        #expect(try await store.channels(ofConnection: "c2") == ["room:a", "room:b"])
        #expect(try await store.members(ofChannel: "room:a") == ["c1", "c2"])
        try await store.leave(connectionID: "c2", channel: "room:a", afterSeq: 0)
        try await store.leave(connectionID: "c2", channel: "room:a", afterSeq: 0)
        try await store.leave(connectionID: "c2", channel: "room:never", afterSeq: 0)
        #expect(try await store.members(ofChannel: "room:a") == ["c1"])
        #expect(try await store.channels(ofConnection: "c2") == ["room:b"])
        #expect(try await store.members(ofChannel: "room:never").isEmpty)
    }

    func joiningNeedsAKnownConnection() async throws {
        let store = try await makeStore()
        await #expect(throws: StoreError(code: "unknown-connection", message: "no connection 'ghost'")) {
            try await store.join(connectionID: "ghost", channel: "room:a", afterSeq: 0)
        }
        #expect(try await store.members(ofChannel: "room:a").isEmpty)
    }

    func membershipsOutliveTheSocketButNotTheSession() async throws {
        let store = try await makeStore()
        for id in ["c1", "c2"] { try await store.openSession(Self.session(id, user: "u")) }
        try await store.join(connectionID: "c1", channel: "room:a", afterSeq: 0)
        try await store.join(connectionID: "c1", channel: "room:b", afterSeq: 0)
        try await store.join(connectionID: "c2", channel: "room:a", afterSeq: 0)
        try await store.closeSession(connectionID: "c1", epoch: 1, at: Date(), keep: true)
        // Not a member while disconnected, but the session remembers its channels.
        #expect(try await store.members(ofChannel: "room:a") == ["c2"])
        #expect(try await store.members(ofChannel: "room:b").isEmpty)
        #expect(try await store.channels(ofConnection: "c1") == ["room:a", "room:b"])
        _ = try await store.resumeSession(token: "token-c1", userID: "u", nodeID: "n1", at: Date())
        #expect(try await store.members(ofChannel: "room:b") == ["c1"])
        try await store.closeSession(connectionID: "c1", epoch: 2, at: Date(), keep: false)
        #expect(try await store.channels(ofConnection: "c1").isEmpty)
        #expect(try await store.members(ofChannel: "room:a") == ["c2"])
    }

    func theLogGivesOneIncreasingSequence() async throws {
        let store = try await makeStore()
        #expect(try await store.lastSeq() == 0)
        let first = try await store.append([
            LogEntry(recipient: .all, event: "a", data: ["n": 1]),
            LogEntry(
                recipient: .channel("room:1"), event: "b", data: .null, senderUserID: "u1", senderConnectionID: "c1"),
        ])
        let second = try await store.append([LogEntry(recipient: .user("u1"), event: "c", data: "x")])
        #expect(first.map(\.seq) == [1, 2])
        #expect(second.map(\.seq) == [3])
        #expect(first[1].entry.senderConnectionID == "c1")
        #expect(try await store.lastSeq() == 3)
        #expect(try await store.append([]).isEmpty)
    }

    func aSessionIsOwedItsOwnUsersChannelsAndBroadcasts() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1", user: "u1"))
        try await store.openSession(Self.session("c2", user: "u1"))
        try await store.join(connectionID: "c1", channel: "room:1", afterSeq: 0)
        let data: JSONValue = ["text": "hé", "list": [1, 2.5, true, nil]]
        _ = try await store.append([
            LogEntry(recipient: .connection("c1"), event: "mine", data: data),
            LogEntry(recipient: .connection("c2"), event: "other tab", data: .null),
            LogEntry(recipient: .user("u1"), event: "user", data: .null),
            LogEntry(recipient: .user("u2"), event: "other user", data: .null),
            LogEntry(recipient: .channel("room:1"), event: "room", data: .null),
            LogEntry(recipient: .channel("room:2"), event: "other room", data: .null),
            LogEntry(recipient: .all, event: "all", data: .null),
            LogEntry(
                recipient: .channel("room:1"), event: "own message", data: .null, senderConnectionID: "c1",
                excludedConnectionID: "c1"),
        ])
        let owed = try await store.messages(owedTo: "c1", userID: "u1", after: 0, limit: 100)
        #expect(owed.map(\.entry.event) == ["mine", "user", "room", "all"])
        #expect(owed.map(\.seq) == [1, 3, 5, 7])
        #expect(owed.first?.entry.data == data)
        #expect(try await store.messages(owedTo: "c1", userID: "u1", after: 3, limit: 100).map(\.seq) == [5, 7])
        #expect(try await store.messages(owedTo: "c1", userID: "u1", after: 0, limit: 2).map(\.seq) == [1, 3])
        // An anonymous session is owed its connection's messages and broadcasts only.
        try await store.openSession(Self.session("c3"))
        #expect(try await store.messages(owedTo: "c3", userID: nil, after: 0, limit: 100).map(\.seq) == [7])
    }

    func channelMessagesAreOwedOnlyWhileAMember() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1"))
        let room = LogEntry(recipient: .channel("room:1"), event: "room", data: .null)
        _ = try await store.append([room])  // 1: before the join
        try await store.join(connectionID: "c1", channel: "room:1", afterSeq: 1)
        _ = try await store.append([room, room])  // 2, 3
        try await store.leave(connectionID: "c1", channel: "room:1", afterSeq: 3)
        _ = try await store.append([room])  // 4: after the leave
        try await store.join(connectionID: "c1", channel: "room:1", afterSeq: 4)
        _ = try await store.append([room])  // 5: member again
        #expect(try await store.messages(owedTo: "c1", userID: nil, after: 0, limit: 100).map(\.seq) == [2, 3, 5])
    }

    func trimmingDropsOldMessagesAndExpiredSessions() async throws {
        let store = try await makeStore()
        let old = Date(timeIntervalSince1970: 1_000)
        let new = Date(timeIntervalSince1970: 2_000)
        _ = try await store.append([
            LogEntry(recipient: .all, event: "old", data: .null, at: old),
            LogEntry(recipient: .all, event: "old", data: .null, at: old),
            LogEntry(recipient: .all, event: "new", data: .null, at: new),
        ])
        try await store.openSession(Self.session("gone"))
        try await store.openSession(Self.session("recent"))
        try await store.openSession(Self.session("live"))
        try await store.join(connectionID: "gone", channel: "room:1", afterSeq: 3)
        try await store.closeSession(connectionID: "gone", epoch: 1, at: old, keep: true)
        try await store.closeSession(connectionID: "recent", epoch: 1, at: new, keep: true)
        #expect(try await store.trimmedThrough() == 0)
        try await store.trim(
            messagesBefore: Date(timeIntervalSince1970: 1_500), sessionsBefore: Date(timeIntervalSince1970: 1_500))
        #expect(try await store.trimmedThrough() == 2)
        #expect(try await store.messages(owedTo: "live", userID: nil, after: 0, limit: 100).map(\.seq) == [3])
        #expect(try await store.session(token: "token-gone") == nil)
        #expect(try await store.channels(ofConnection: "gone").isEmpty)
        #expect(try await store.session(token: "token-recent") != nil)
        #expect(try await store.session(token: "token-live") != nil)
        // The sequence goes on after a trim; it never reuses a seq.
        #expect(try await store.append([LogEntry(recipient: .all, event: "later", data: .null)]).map(\.seq) == [4])
    }
}
