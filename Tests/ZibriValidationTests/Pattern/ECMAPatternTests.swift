import Testing
import ZibriValidation

@Suite struct ECMAPatternTests {
    func matches(_ pattern: String, _ text: String) throws -> Bool {
        try ECMAPattern(pattern).matches(text)
    }

    @Test(arguments: [
        // pattern, text, expected (ECMA-262 with the u flag, unanchored search)
        ("a", "cat", true),
        ("^a", "cat", false),
        ("^[A-Za-z0-9 _-]+$", "Ann Lee_2", true),
        ("^[A-Za-z0-9 _-]+$", "Ann!", false),
        ("^abc$", "abc\n", false),  // $ is the end of input only
        ("^\\d+$", "123", true),
        ("^\\d+$", "١٢٣", false),  // \d is ASCII
        ("^\\w+$", "héllo", false),  // \w is ASCII
        ("^\\s$", "\u{00A0}", true),  // \s is Unicode white space
        ("^.$", "😀", true),  // one scalar
        ("^.$", "\n", false),
        ("^[^a-c]$", "d", true),
        ("^[^a-c]$", "b", false),
        ("^a{2,3}$", "a", false),
        ("^a{2,3}$", "aa", true),
        ("^a{2,3}$", "aaaa", false),
        ("^a{2,}$", "aaaaa", true),
        ("^(ab|cd)+?$", "abcdab", true),
        ("^(?:x|y)*z$", "xyxz", true),
        ("^(?<year>\\d{4})-\\d\\d$", "2024-05", true),
        ("\\bcat\\b", "a cat sat", true),
        ("\\bcat\\b", "concat", false),
        ("\\Bcat", "concat", true),
        ("^\\u00e9$", "é", true),
        ("^\\u{1F600}$", "😀", true),
        ("^\\ud83d\\ude00$", "😀", true),
        ("^\\x41$", "A", true),
        ("^[\\d-]+$", "12-3", true),
        ("^a{,2}$", "a{,2}", true),  // not a quantifier: literal braces (Annex B)
        ("^[\\]]$", "]", true),
        ("^\\.$", ".", true),
        ("^\\.$", "x", false),
        ("", "anything", true),
        ("^$", "", true),
        ("^(a|)$", "", true),
        ("^(a*)*b$", "aaab", true),
    ])
    func matchesLikeECMA262(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try matches(pattern, text) == expected)
    }

    @Test func catastrophicPatternsRunInLinearTime() throws {
        // A backtracking engine takes exponential time on these; the Pike VM is linear.
        let input = String(repeating: "a", count: 20_000) + "!"
        #expect(try matches("^(a+)+$", input) == false)
        #expect(try matches("^(a|a)*$", input) == false)
        #expect(try matches("^(a|aa)+$", String(repeating: "a", count: 20_000)) == true)
    }

    @Test(arguments: [
        "(a", "a)", "[a", "*a", "a**", "a{3,2}", "\\1", "(a)\\1", "(?=a)", "(?!a)", "(?<=a)", "(?<!a)",
        "\\p{L}", "\\k<x>", "[z-a]", "\\", "a{2000}", "\\q", "(?x)",
    ])
    func unsupportedOrInvalidPatternsAreErrors(_ pattern: String) {
        #expect(throws: ECMAPatternError.self) { try ECMAPattern(pattern) }
    }
}
