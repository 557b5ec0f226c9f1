import Foundation
import Testing
import ZibriJSON

@Suite struct JSONValueTests {
    @Test func equalityIsJSONSchemas() {
        #expect(JSONValue.integer(1) == .number(1.0))
        #expect(JSONValue.number(1.5) != .integer(1))
        #expect(JSONValue.bool(false) != .integer(0))
        #expect(JSONValue.null != .bool(false))
        #expect(JSONValue.array([1, ["a": 2.0]]) == [1.0, ["a": 2]])
        #expect(JSONValue.array([1, 2]) != [2, 1])
        #expect(Set<JSONValue>([1, 1.0, 2]).count == 2)  // hashing agrees with equality
    }

    @Test func accessorsReadNestedValues() {
        let value: JSONValue = ["author": ["email": "a@b.co", "age": 3.0], "tags": ["x", "y"], "at": "2024-05-01"]
        #expect(value["author"]?["email"]?.string == "a@b.co")
        #expect(value["author"]?["age"]?.int == 3)
        #expect(value["tags"]?[1]?.string == "y")
        #expect(value["tags"]?[5] == nil)
        #expect(value["missing"] == nil)
        #expect(value["at"]?.date == Date(timeIntervalSince1970: 1_714_521_600))
        #expect(JSONValue.null.isNull)
    }

    @Test func jsonTextEscapesAndSortsKeys() {
        let value: JSONValue = ["b": "line\n\"quoted\"\u{01}", "a": [true, nil, 1.5, 2]]
        #expect(value.jsonText == #"{"a":[true,null,1.5,2],"b":"line\n\"quoted\"\u0001"}"#)
        #expect(
            JSONValue.date(Date(timeIntervalSince1970: 1_714_557_600.25)).jsonText == #""2024-05-01T10:00:00.250Z""#)
    }

    @Test func codableRoundTrip() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", true, nil], "b": ["c": [:]]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test func iso8601FormatsWhatItParses() throws {
        for text in [
            "1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999Z", "1969-12-31T23:59:59Z", "2400-03-01T12:00:00Z",
        ] {
            let date = try #require(ISO8601.parseDateTime(text))
            #expect(ISO8601.format(date) == text)
        }
        #expect(ISO8601.parseDateTime("2024-05-01T12:00:00+02:00") == ISO8601.parseDateTime("2024-05-01T10:00:00Z"))
        #expect(ISO8601.parse("2024-02-30") == nil)
        #expect(ISO8601.parse("2024-05-01T25:00:00Z") == nil)
    }
}
