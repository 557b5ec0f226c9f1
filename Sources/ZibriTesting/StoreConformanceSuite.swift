import Testing
public import Zibri

/// The behaviour every `ZibriStore` promises, run against a fresh store from `makeStore`.
/// The in-memory store runs it in our tests; every storage driver must pass it too.
public struct StoreConformanceSuite: Sendable {
    public let makeStore: @Sendable () async throws -> any ZibriStore

    public init(makeStore: @escaping @Sendable () async throws -> any ZibriStore) {
        self.makeStore = makeStore
    }

    /// Every check, each on its own fresh store; failures are recorded as test issues.
    public func run() async throws {
        try await connectionsAreAddedFoundAndRemoved()
        try await usersHaveSeveralConnections()
        try await joinAndLeaveAreIdempotentAndSorted()
        try await joiningNeedsAKnownConnection()
        try await removingAConnectionRemovesItsMemberships()
    }

    func connectionsAreAddedFoundAndRemoved() async throws {
        let store = try await makeStore()
        let record = ConnectionRecord(id: "c1", userID: "u1", nodeID: "n1")
        try await store.addConnection(record)
        #expect(try await store.connection(id: "c1") == record)
        #expect(try await store.connection(id: "nope") == nil)
        #expect(try await store.connectionCount() == 1)
        try await store.removeConnection(id: "c1")
        try await store.removeConnection(id: "c1")  // unknown ids are ignored
        #expect(try await store.connection(id: "c1") == nil)
        #expect(try await store.connectionCount() == 0)
    }

    func usersHaveSeveralConnections() async throws {
        let store = try await makeStore()
        for (id, user) in [("c3", "u1"), ("c1", "u1"), ("c2", "u2"), ("c4", nil)] {
            try await store.addConnection(ConnectionRecord(id: id, userID: user, nodeID: "n1"))
        }
        #expect(try await store.connections(ofUser: "u1").map(\.id) == ["c1", "c3"])
        #expect(try await store.connections(ofUser: "u2").map(\.id) == ["c2"])
        #expect(try await store.connections(ofUser: "u9").isEmpty)
        #expect(try await store.connectionCount() == 4)
    }

    func joinAndLeaveAreIdempotentAndSorted() async throws {
        let store = try await makeStore()
        for id in ["c2", "c1"] { try await store.addConnection(ConnectionRecord(id: id, userID: nil, nodeID: "n1")) }
        try await store.join(connectionID: "c2", channel: "room:b")
        try await store.join(connectionID: "c2", channel: "room:a")
        try await store.join(connectionID: "c2", channel: "room:a")
        try await store.join(connectionID: "c1", channel: "room:a")
        #expect(try await store.channels(ofConnection: "c2") == ["room:a", "room:b"])
        #expect(try await store.members(ofChannel: "room:a") == ["c1", "c2"])
        try await store.leave(connectionID: "c2", channel: "room:a")
        try await store.leave(connectionID: "c2", channel: "room:a")
        try await store.leave(connectionID: "c2", channel: "room:never")
        #expect(try await store.members(ofChannel: "room:a") == ["c1"])
        #expect(try await store.channels(ofConnection: "c2") == ["room:b"])
        #expect(try await store.members(ofChannel: "room:never").isEmpty)
    }

    func joiningNeedsAKnownConnection() async throws {
        let store = try await makeStore()
        await #expect(throws: StoreError(code: "unknown-connection", message: "no connection 'ghost'")) {
            try await store.join(connectionID: "ghost", channel: "room:a")
        }
        #expect(try await store.members(ofChannel: "room:a").isEmpty)
    }

    func removingAConnectionRemovesItsMemberships() async throws {
        let store = try await makeStore()
        for id in ["c1", "c2"] { try await store.addConnection(ConnectionRecord(id: id, userID: "u", nodeID: "n1")) }
        try await store.join(connectionID: "c1", channel: "room:a")
        try await store.join(connectionID: "c1", channel: "room:b")
        try await store.join(connectionID: "c2", channel: "room:a")
        try await store.removeConnection(id: "c1")
        #expect(try await store.members(ofChannel: "room:a") == ["c2"])
        #expect(try await store.members(ofChannel: "room:b").isEmpty)
        #expect(try await store.channels(ofConnection: "c1").isEmpty)
    }
}
