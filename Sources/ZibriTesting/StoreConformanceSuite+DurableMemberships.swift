import Foundation
import Testing
import ZibriSchema
import ZibriStorage

/// What every store promises of batched joins and of the users' durable memberships.
extension StoreConformanceSuite {
    func aBatchJoinIsOneJoinPerChannel() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1"))
        try await store.join(connectionID: "c1", channel: "room:a", afterSeq: 0)
        try await store.join(connectionID: "c1", channels: ["room:b", "room:a", "room:c"], afterSeq: 2)
        try await store.join(connectionID: "c1", channels: [], afterSeq: 2)
        #expect(try await store.channels(ofConnection: "c1") == ["room:a", "room:b", "room:c"])
        let room = LogEntry(recipient: .channel("room:a"), event: "a", data: .null)
        let other = LogEntry(recipient: .channel("room:b"), event: "b", data: .null)
        _ = try await store.append([room, other, room, other])  // 1 … 4
        // room:a was joined at 0 (the second join left it be); room:b after 2.
        #expect(try await store.messages(owedTo: "c1", userID: nil, after: 0, limit: 10).map(\.seq) == [1, 3, 4])
        await #expect(throws: StoreError(code: "unknown-connection", message: "no connection 'ghost'")) {
            try await store.join(connectionID: "ghost", channels: ["room:a"], afterSeq: 0)
        }
    }

    func aDurableMembershipJoinsTheUsersSessions() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("here", user: "u1"))
        try await store.openSession(Self.session("gone", user: "u1"))
        try await store.closeSession(connectionID: "gone", epoch: 1, at: Date(), keep: true)
        try await store.openSession(
            SessionRecord(token: "token-there", connectionID: "there", userID: "u1", nodeID: "n2"))
        try await store.openSession(Self.session("other", user: "u2"))
        try await store.openSession(Self.session("anonymous"))
        _ = try await store.append([LogEntry(recipient: .channel("room:1"), event: "before", data: .null)])  // 1
        try await store.joinDurably(userID: "u1", channel: "room:1", afterSeq: 1, nodeID: "n1")
        try await store.joinDurably(userID: "u1", channel: "room:1", afterSeq: 5, nodeID: "n1")
        try await store.joinDurably(userID: "u1", channel: "room:0", afterSeq: 1, nodeID: "n1")
        #expect(try await store.durableChannels(ofUser: "u1") == ["room:0", "room:1"])
        #expect(try await store.durableChannels(ofUser: "u2").isEmpty)
        // This node's sessions and the disconnected ones join; another node's joins its own.
        #expect(try await store.channels(ofConnection: "here") == ["room:0", "room:1"])
        #expect(try await store.channels(ofConnection: "gone") == ["room:0", "room:1"])
        #expect(try await store.channels(ofConnection: "there").isEmpty)
        #expect(try await store.channels(ofConnection: "other").isEmpty)
        #expect(try await store.channels(ofConnection: "anonymous").isEmpty)
        _ = try await store.append([LogEntry(recipient: .channel("room:1"), event: "after", data: .null)])  // 2
        // Joined after 1 (the second join found it a member): owed 2, and 2 only.
        #expect(try await store.messages(owedTo: "gone", userID: "u1", after: 0, limit: 10).map(\.seq) == [2])
        // A logout ends the sessions, not the user's memberships.
        _ = try await store.revokeSessions(ofUser: "u1")
        #expect(try await store.durableChannels(ofUser: "u1") == ["room:0", "room:1"])
    }

    func leavingDurablyEndsEverySessionsMembership() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1", user: "u1"))
        try await store.openSession(SessionRecord(token: "token-c2", connectionID: "c2", userID: "u1", nodeID: "n2"))
        try await store.openSession(Self.session("c3", user: "u2"))
        try await store.joinDurably(userID: "u1", channel: "room:1", afterSeq: 0, nodeID: "n1")
        try await store.joinDurably(userID: "u2", channel: "room:1", afterSeq: 0, nodeID: "n1")
        try await store.join(connectionID: "c2", channel: "room:1", afterSeq: 0)  // node n2 joined it
        let room = LogEntry(recipient: .channel("room:1"), event: "room", data: .null)
        _ = try await store.append([room])  // 1
        try await store.leaveDurably(userID: "u1", channel: "room:1", afterSeq: 1)
        try await store.leaveDurably(userID: "u1", channel: "room:1", afterSeq: 1)
        try await store.leaveDurably(userID: "u1", channel: "room:never", afterSeq: 1)
        _ = try await store.append([room])  // 2
        #expect(try await store.durableChannels(ofUser: "u1").isEmpty)
        #expect(try await store.channels(ofConnection: "c1").isEmpty)
        #expect(try await store.channels(ofConnection: "c2").isEmpty)
        #expect(try await store.members(ofChannel: "room:1") == ["c3"])
        for id in ["c1", "c2"] {
            #expect(try await store.messages(owedTo: id, userID: "u1", after: 0, limit: 10).map(\.seq) == [1])
        }
        #expect(try await store.durableChannels(ofUser: "u2") == ["room:1"])
    }
}
