import Testing
import ZibriJSON

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONParser().parse(text) }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(
            #" { "a": [1, -2, 3.5, 1e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00", "c": {} } "#)
        #expect(
            value
                == .object([
                    "a": [1, -2, 3.5, 1000, true, false, nil], "b": "x\"\\/\né😀", "c": .object([:]),
                ]))
    }

    @Test func integersStayIntegersWhileTheyFit64Bits() throws {
        #expect(try parse("9223372036854775807") == .integer(Int.max))
        #expect(try parse("-9223372036854775808") == .integer(Int.min))
        #expect(try parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try parse("1.0") == .number(1.0))
        #expect(try parse("1.0") == .integer(1))  // JSON Schema equality
    }

    @Test func numbersBeyondDoubleAreErrorsNotInfinity() {
        #expect(throws: JSONParseError.self) { try parse("1e400") }
        #expect(throws: JSONParseError.self) { try parse("-1e999") }
    }

    @Test func duplicateKeysAreRejected() {
        #expect(throws: JSONParseError(message: "duplicate key \"a\"", offset: 9)) { try parse(#"{"a": 1, "a": 2}"#) }
    }

    @Test func invalidUTF8IsAnErrorNotACrash() {
        #expect(throws: JSONParseError.self) { try JSONParser().parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser().parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try parse(#""\ud800""#) }
        #expect(throws: JSONParseError.self) { try parse(#""\udc00x""#) }
    }

    @Test func deepNestingIsRefusedWithoutOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? parse(fine)) != nil)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "1e", "tru", "nul", "\"abc",
        "\"a\u{01}b\"", "\"\\x\"", "[1] 2", "{1: 2}", "NaN", "Infinity",
    ])
    func malformedDocumentsAreErrors(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }
}
