import Testing

@testable import ZibriSchema

@Suite struct SuggestionsTests {
    @Test func suggestsCloseNamesOnly() {
        let keys = ["minLength", "maxLength", "pattern", "format"]
        #expect(Suggestions.closest(to: "maxLenght", in: keys) == "maxLength")
        #expect(Suggestions.closest(to: "MAXLENGTH", in: keys) == "maxLength")
        #expect(Suggestions.closest(to: "patern", in: keys) == "pattern")
        #expect(Suggestions.closest(to: "colour", in: keys) == nil)
        #expect(Suggestions.closest(to: "x", in: []) == nil)
    }

    @Test func editDistanceCountsTranspositionsAsOne() {
        #expect(Suggestions.editDistance("ab", "ba") == 1)
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.editDistance("", "abc") == 3)
    }
}
