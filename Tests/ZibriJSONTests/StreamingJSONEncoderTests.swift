import Foundation
import Testing
import ZibriJSON

@Suite struct StreamingJSONEncoderTests {
    struct Author: Codable, Equatable {
        var name: String
        var joined: Date
    }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case rectangle(width: Int, height: Int)
        case point
    }

    struct Message: Codable {
        enum Mood: String, Codable { case happy, sad }
        var message: String
        var replyTo: Int?
        var missing: Int?
        var tags: [String]
        var mood: Mood?
        var score: Double
        var ratio: Float
        var small: UInt8
        var big: Int64
        var flag: Bool
        var author: Author
        var extra: JSONValue?
        var grid: [[Int]]
        var counts: [String: Int]
        var byNumber: [Int: String]
        var shapes: [Shape]
        var attachment: Data
        var link: URL
        var nothing: Empty
        var optionalAuthors: [Author?]
    }

    struct Empty: Codable {}

    static let message = Message(
        message: "Hello \"there\"\n\ttab \\ slash/ é 😀 \u{01}", replyTo: 12, missing: nil, tags: ["a", "b"],
        mood: .happy, score: 0.1, ratio: 2.5, small: 255, big: -9_000_000_000, flag: false,
        author: Author(name: "Ann", joined: Date(timeIntervalSince1970: 1_714_557_600.25)),
        extra: ["z": 1, "a": [true, nil, 2.5], "m": "text"], grid: [[1, 2], [], [3]], counts: ["x": 1, "y": 2],
        byNumber: [1: "one", 20: "twenty"], shapes: [.circle(radius: 1.5), .rectangle(width: 2, height: 3), .point],
        attachment: Data([0, 1, 2, 250]), link: URL(string: "https://example.com/a?b=c")!, nothing: Empty(),
        optionalAuthors: [nil, Author(name: "Bo", joined: Date(timeIntervalSince1970: 0))])

    /// JSONEncoder's bytes, as the runtime configured it before this encoder existed.
    static func foundation<T: Encodable>(_ value: T) throws -> [UInt8] {
        [UInt8](try StreamingJSONEncoder.makeFoundationEncoder().encode(value))
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONParser().parse(bytes)
    }

    @Test func writesTheSameDocumentAsJSONEncoder() throws {
        let streamed = try StreamingJSONEncoder().encode(Self.message)
        #expect(try Self.parse(streamed) == Self.parse(Self.foundation(Self.message)))
    }

    @Test func writesKeysInEncodingOrderWithoutEscapingSlashes() throws {
        struct Ordered: Encodable {
            var zebra = 1
            var apple = "a/b"
            var mango: Int? = nil
        }
        #expect(
            String(decoding: try StreamingJSONEncoder().encode(Ordered()), as: UTF8.self)
                == #"{"zebra":1,"apple":"a/b"}"#)
    }

    @Test func escapesWhatJSONRequires() throws {
        let text = "q\" b\\ n\n r\r t\t b\u{08} f\u{0C} c\u{01}\u{1F} é 😀"
        let expected = #""q\" b\\ n\n r\r t\t b\b f\f c\u0001\u001f é 😀""#
        #expect(String(decoding: try StreamingJSONEncoder().encode(text), as: UTF8.self) == expected)
        #expect(try Self.parse(StreamingJSONEncoder().encode(text)) == .string(text))
    }

    /// Strings of every length around the eight-byte steps of the escaping scan, with the
    /// characters to escape at every position.
    @Test func escapesAtEveryPositionOfRandomStrings() throws {
        let alphabet: [Character] = ["a", "Z", " ", "\"", "\\", "\n", "\u{0}", "\u{1F}", "/", "é", "😀", "\u{7F}", "~"]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in 0..<40 {
            for _ in 0..<20 {
                var text = ""
                for _ in 0..<length {
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    text.append(alphabet[Int(seed >> 33) % alphabet.count])
                }
                let streamed = try StreamingJSONEncoder().encode(text)
                #expect(try Self.parse(streamed) == .string(text))
                let foundation = String(decoding: try Self.foundation(text), as: UTF8.self)
                #expect(
                    String(decoding: streamed, as: UTF8.self) == foundation.replacingOccurrences(of: "\\/", with: "/"))
            }
        }
    }

    @Test func writesNumbersAsJSONEncoderDoes() throws {
        let doubles: [Double] = [1.0, 0.5, -2.25, 1e21, 123_456_789.125, 5e-324, -0.0, 0.1 + 0.2]
        #expect(try StreamingJSONEncoder().encode(doubles) == Self.foundation(doubles))
        let floats: [Float] = [1, 0.1, 3.4e38]
        #expect(try StreamingJSONEncoder().encode(floats) == Self.foundation(floats))
        let integers: [Int64] = [0, 7, -7, Int64.max, Int64.min]
        #expect(try StreamingJSONEncoder().encode(integers) == Self.foundation(integers))
        #expect(try StreamingJSONEncoder().encode([UInt64.max]) == Self.foundation([UInt64.max]))
    }

    @Test func writesDatesDataAndURLsAsTheRuntimeDid() throws {
        struct Special: Encodable {
            var date = Date(timeIntervalSince1970: 1_714_557_600.5)
            var data = Data("hi".utf8)
            var url = URL(string: "https://example.com/x")!
        }
        #expect(
            String(decoding: try StreamingJSONEncoder().encode(Special()), as: UTF8.self)
                == #"{"date":"2024-05-01T10:00:00.500Z","data":"aGk=","url":"https://example.com/x"}"#)
    }

    @Test func writesTopLevelScalarsAndNil() throws {
        #expect(try StreamingJSONEncoder().encode("x") == Array(#""x""#.utf8))
        #expect(try StreamingJSONEncoder().encode(5) == Array("5".utf8))
        #expect(try StreamingJSONEncoder().encode(Int?.none) == Array("null".utf8))
        #expect(try StreamingJSONEncoder().encode(true) == Array("true".utf8))
    }

    @Test func writesAJSONValueWithSortedKeysAsJSONText() throws {
        let value: JSONValue = ["b": [1, 2.5, nil], "a": ["d": "x", "c": false]]
        #expect(String(decoding: try StreamingJSONEncoder().encode(value), as: UTF8.self) == value.jsonText)
    }

    @Test func writesAnEmptyNestedValueAsAnEmptyObject() throws {
        struct Outer: Encodable { var inner = Empty() }
        #expect(try StreamingJSONEncoder().encode(Outer()) == Array(#"{"inner":{}}"#.utf8))
    }

    /// A subclass and its superclass asking the same encoder for a keyed container each.
    @Test func mergesTwoKeyedContainersOfOneValue() throws {
        struct Twice: Encodable {
            enum First: CodingKey { case a }
            enum Second: CodingKey { case b }
            func encode(to encoder: any Encoder) throws {
                var first = encoder.container(keyedBy: First.self)
                try first.encode(1, forKey: .a)
                var second = encoder.container(keyedBy: Second.self)
                try second.encode([2], forKey: .b)
            }
        }
        #expect(try StreamingJSONEncoder().encode(Twice()) == Array(#"{"a":1,"b":[2]}"#.utf8))
    }

    // MARK: What one pass cannot write goes to JSONEncoder

    /// Writes into a nested container after its parent has moved on to the next key, and
    /// after a sibling container has opened in its place.
    struct Interleaved: Encodable {
        enum Keys: CodingKey { case first, second, third }
        enum Inner: CodingKey { case x, y }
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            var inner = outer.nestedContainer(keyedBy: Inner.self, forKey: .first)
            try inner.encode(1, forKey: .x)
            var sibling = outer.nestedContainer(keyedBy: Inner.self, forKey: .second)
            try sibling.encode(3, forKey: .x)
            try inner.encode(2, forKey: .y)
            try outer.encode("later", forKey: .third)
        }
    }

    class Base: Encodable {
        var id = 1
    }

    final class Derived: Base {
        var name = "d"
        enum Keys: CodingKey { case name }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(name, forKey: .name)
            try super.encode(to: container.superEncoder())
        }
    }

    /// A base class that encodes nothing through `superEncoder`: nothing is written to the
    /// unstreamable encoder, yet JSONEncoder's `"super": {}` must be there.
    final class DerivedFromEmpty: Empty2 {
        enum Keys: CodingKey { case name }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("e", forKey: .name)
            try super.encode(to: container.superEncoder())
        }
    }

    class Empty2: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func sendsValuesOutOfStreamOrderToJSONEncoder() throws {
        #expect(
            try Self.parse(StreamingJSONEncoder().encode(DerivedFromEmpty()))
                == Self.parse(Self.foundation(DerivedFromEmpty())))
        #expect(
            try Self.parse(StreamingJSONEncoder().encode(Interleaved())) == Self.parse(Self.foundation(Interleaved())))
        #expect(
            try Self.parse(StreamingJSONEncoder().encode(Interleaved())) == [
                "first": ["x": 1, "y": 2], "second": ["x": 3], "third": "later",
            ])
        #expect(try Self.parse(StreamingJSONEncoder().encode(Derived())) == Self.parse(Self.foundation(Derived())))
        #expect(try Self.parse(StreamingJSONEncoder().encode(Derived())) == ["name": "d", "super": ["id": 1]])
        let decimals = ["price": Decimal(string: "12.345678901234567890")!]
        #expect(try StreamingJSONEncoder().encode(decimals) == Self.foundation(decimals))
    }

    @Test func failsAsJSONEncoderDoes() {
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(["x": Float.infinity]) }
    }

    @Test func writesAnEmptyTopLevelValueAsJSONEncoderDoes() throws {
        #expect(try StreamingJSONEncoder().encode(Empty()) == Self.foundation(Empty()))
    }
}
