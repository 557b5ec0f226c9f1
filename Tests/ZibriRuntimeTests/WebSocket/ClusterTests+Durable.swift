import Foundation
import Testing
import ZibriSchema

@testable import ZibriRuntime

/// Durable memberships across nodes: the user's connections on every node are in the channel.
extension ClusterTests {
    @Test func aDurableMembershipIsOnTheUsersConnectionsOnEveryNode() async throws {
        try await Self.withNodes(2) { nodes, _, _ in
            let (here, there) = (nodes[0], nodes[1])
            let token = try await HTTPFixture.token(user: "u1")
            let path = "/ws?access_token=\(token)"
            try await RawWebSocket.connect(port: here.port, path: path) { first in
                _ = try await first.receive { $0["event"] == "ws:connected" }
                try await RawWebSocket.connect(port: there.port, path: path) { second in
                    let greeting = try await second.receive { $0["event"] == "ws:connected" }
                    let secondID = try #require(greeting["data"]?["connectionId"]?.string)
                    try await DurableMembershipTests.ask(&first, "ws:join", "team:1", ack: 1)
                    // The other node joins its connection of the user when it hears of it.
                    let deadline = ContinuousClock.now + .seconds(10)
                    while try await there.service.channels(of: secondID) != ["team:1"], ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    #expect(
                        try await DurableMembershipTests.isMember(
                            &second, of: "team:1", user: "u1", service: here.service))
                    // A new connection on the other node is in it from its greeting on.
                    try await RawWebSocket.connect(port: there.port, path: path) { third in
                        let greeting = try await third.receive { $0["event"] == "ws:connected" }
                        #expect(greeting["data"]?["channels"] == ["team:1"])
                    }
                    // Left on the other node: left here too.
                    try await DurableMembershipTests.ask(&second, "ws:leave", "team:1", ack: 2)
                    #expect(
                        try await !DurableMembershipTests.isMember(
                            &first, of: "team:1", user: "u1", service: there.service))
                }
            }
            #expect(try await here.service.durableChannels(ofUser: "u1").isEmpty)
        }
    }
}
