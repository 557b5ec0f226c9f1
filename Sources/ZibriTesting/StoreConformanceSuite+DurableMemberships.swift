import Foundation
import Testing
import ZibriSchema
import ZibriStorage

/// What every store promises of the users' durable memberships, and of joining again at the
/// place one left.
extension StoreConformanceSuite {
    func aJoinAtThePlaceOfTheLeaveIsOneMembership() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1", user: "u1"))
        let room = LogEntry(recipient: .channel("room:a"), event: "a", data: .null)
        try await store.join(connectionID: "c1", channel: "room:a", afterSeq: 0)
        try await store.joinDurably(userID: "u2", channel: "room:a", afterSeq: 0)
        _ = try await store.append([room])  // 1
        try await store.leave(connectionID: "c1", channel: "room:a", afterSeq: 1)
        try await store.leaveDurably(userID: "u2", channel: "room:a", afterSeq: 1)
        // Joined again with no message between: a member, and owed everything since 0.
        try await store.join(connectionID: "c1", channel: "room:a", afterSeq: 1)
        try await store.joinDurably(userID: "u2", channel: "room:a", afterSeq: 1)
        #expect(try await store.channels(ofConnection: "c1") == ["room:a"])
        #expect(try await store.durableChannels(ofUser: "u2") == ["room:a"])
        _ = try await store.append([room])  // 2
        try await store.openSession(Self.session("c2", user: "u2"))
        for id in ["c1", "c2"] {
            let user = id == "c1" ? "u1" : "u2"
            #expect(try await store.messages(owedTo: id, userID: user, after: 0, limit: 10).map(\.seq) == [1, 2])
        }
        // A join after a message since the leave starts a new interval: the gap is not owed.
        try await store.leave(connectionID: "c1", channel: "room:a", afterSeq: 2)
        _ = try await store.append([room])  // 3
        try await store.join(connectionID: "c1", channel: "room:a", afterSeq: 3)
        _ = try await store.append([room])  // 4
        #expect(try await store.messages(owedTo: "c1", userID: "u1", after: 0, limit: 10).map(\.seq) == [1, 2, 4])
    }

    func aDurableMembershipCountsEverySessionOfTheUser() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("here", user: "u1"))
        try await store.openSession(Self.session("gone", user: "u1"))
        try await store.closeSession(connectionID: "gone", epoch: 1, at: Date(), keep: true)
        try await store.openSession(
            SessionRecord(token: "token-there", connectionID: "there", userID: "u1", nodeID: "n2"))
        try await store.openSession(Self.session("other", user: "u2"))
        try await store.openSession(Self.session("anonymous"))
        _ = try await store.append([LogEntry(recipient: .channel("room:1"), event: "before", data: .null)])  // 1
        try await store.joinDurably(userID: "u1", channel: "room:1", afterSeq: 1)
        try await store.joinDurably(userID: "u1", channel: "room:1", afterSeq: 5)
        try await store.joinDurably(userID: "u1", channel: "room:0", afterSeq: 1)
        #expect(try await store.durableChannels(ofUser: "u1") == ["room:0", "room:1"])
        #expect(try await store.durableChannels(ofUser: "u2").isEmpty)
        // Every session of the user, on any node, connected or not; a later one too.
        try await store.openSession(Self.session("later", user: "u1"))
        for id in ["here", "gone", "there", "later"] {
            #expect(try await store.channels(ofConnection: id) == ["room:0", "room:1"])
        }
        #expect(try await store.channels(ofConnection: "other").isEmpty)
        #expect(try await store.channels(ofConnection: "anonymous").isEmpty)
        // A session's own membership of the same channel is listed once.
        try await store.join(connectionID: "here", channel: "room:1", afterSeq: 1)
        #expect(try await store.channels(ofConnection: "here") == ["room:0", "room:1"])
        #expect(try await store.members(ofChannel: "room:1") == ["here", "later", "there"])
        _ = try await store.append([LogEntry(recipient: .channel("room:1"), event: "after", data: .null)])  // 2
        // Joined after 1 (the second join found it a member): owed 2, and 2 only, once.
        for id in ["here", "gone", "later"] {
            #expect(try await store.messages(owedTo: id, userID: "u1", after: 0, limit: 10).map(\.seq) == [2])
        }
        // A logout ends the sessions, not the user's memberships.
        _ = try await store.revokeSessions(ofUser: "u1")
        #expect(try await store.durableChannels(ofUser: "u1") == ["room:0", "room:1"])
        #expect(try await store.members(ofChannel: "room:1").isEmpty)
    }

    func leavingDurablyEndsEverySessionsMembership() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1", user: "u1"))
        try await store.openSession(SessionRecord(token: "token-c2", connectionID: "c2", userID: "u1", nodeID: "n2"))
        try await store.openSession(Self.session("c3", user: "u2"))
        try await store.joinDurably(userID: "u1", channel: "room:1", afterSeq: 0)
        try await store.joinDurably(userID: "u2", channel: "room:1", afterSeq: 0)
        try await store.join(connectionID: "c2", channel: "room:1", afterSeq: 0)  // a session's own, too
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

    func trimmingForgetsEndedDurableMembershipsOnlyWhenNothingIsOwed() async throws {
        let store = try await makeStore()
        try await store.openSession(Self.session("c1", user: "u1"))
        let old = Date(timeIntervalSince1970: 1_000)
        let new = Date(timeIntervalSince1970: 3_000)
        try await store.joinDurably(userID: "u1", channel: "room:old", afterSeq: 0)
        try await store.joinDurably(userID: "u1", channel: "room:new", afterSeq: 0)
        _ = try await store.append([
            LogEntry(recipient: .channel("room:old"), event: "a", data: .null, at: old),  // 1
            LogEntry(recipient: .channel("room:new"), event: "b", data: .null, at: new),  // 2
        ])
        try await store.leaveDurably(userID: "u1", channel: "room:old", afterSeq: 1)
        try await store.leaveDurably(userID: "u1", channel: "room:new", afterSeq: 2)
        try await store.trim(messagesBefore: Date(timeIntervalSince1970: 2_000), sessionsBefore: old)
        // The membership that owed message 2 (still in the log) still owes it.
        #expect(try await store.messages(owedTo: "c1", userID: "u1", after: 0, limit: 10).map(\.seq) == [2])
        // One that ended through the trimmed seq may go; joining again starts afresh.
        try await store.joinDurably(userID: "u1", channel: "room:old", afterSeq: 2)
        _ = try await store.append([LogEntry(recipient: .channel("room:old"), event: "c", data: .null, at: new)])
        #expect(try await store.messages(owedTo: "c1", userID: "u1", after: 0, limit: 10).map(\.seq) == [2, 3])
    }
}
