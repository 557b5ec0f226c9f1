import Testing
import Zibri
import ZibriSchema

@testable import ZibriRuntime

@Suite struct ChannelPatternsTests {
    static let patterns = ChannelPatterns(["room:{roomId}", "user:{userId}:inbox", "lobby", "bad:{"])

    @Test func namesMatchTheirPatternWithParameters() {
        #expect(Self.patterns.match("room:42") == .init(pattern: "room:{roomId}", parameters: ["roomId": "42"]))
        #expect(Self.patterns.match("room:a:b") == .init(pattern: "room:{roomId}", parameters: ["roomId": "a:b"]))
        #expect(
            Self.patterns.match("user:u1:inbox") == .init(pattern: "user:{userId}:inbox", parameters: ["userId": "u1"]))
        #expect(Self.patterns.match("lobby") == .init(pattern: "lobby", parameters: [:]))
    }

    @Test func namesThatMatchNoPatternAreNil() {
        for name in ["room:", "room", "lobby2", "user::inbox", "user:u1:outbox", "", "xroom:1"] {
            #expect(Self.patterns.match(name) == nil, "\(name)")
        }
    }
}
