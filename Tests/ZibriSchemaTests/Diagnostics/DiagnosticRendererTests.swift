import Testing
import ZibriSchema

@Suite struct DiagnosticRendererTests {
    let source = SpecSource(file: "s.yaml", text: "a:\n\tb: 1\r\nc: \"é\" x\n")

    @Test func caretLinesUpUnderTabsAndWideCharacters() {
        let diagnostics: [Diagnostic] = [
            .error("r1", "one", at: SourceLocation(file: "s.yaml", line: 2, column: 5)),
            .warning("r2", "two", at: SourceLocation(file: "s.yaml", line: 3, column: 8), hint: "a hint"),
        ]
        let text = DiagnosticRenderer().render(diagnostics, sources: ["s.yaml": source])
        #expect(
            text == """
                s.yaml:2:5: error: one [r1]
                \tb: 1
                \t   ^
                s.yaml:3:8: warning: two [r2]
                c: "é" x
                       ^
                  hint: a hint
                1 error, 1 warning

                """)
    }

    @Test func longLinesAreShownAsAWindowAroundTheColumn() {
        let line = (0..<300).map { String($0 % 10) }.joined()  // 0123456789012…, 300 characters
        let source = SpecSource(file: "l.yaml", text: line + "\n")
        func shown(column: Int) -> [Substring] {
            let diagnostic = Diagnostic.error("r", "m", at: SourceLocation(file: "l.yaml", line: 1, column: column))
            return DiagnosticRenderer().render([diagnostic], sources: ["l.yaml": source]).split(separator: "\n")
        }
        // Middle: cut on both sides, 120 characters around the column, the caret under it.
        let middle = shown(column: 151)
        #expect(middle[1] == "…" + line.dropFirst(90).prefix(120) + "…")
        #expect(middle[2] == String(repeating: " ", count: 61) + "^")
        // Start and end: cut on one side only.
        let start = shown(column: 3)
        #expect(start[1] == line.prefix(120) + "…")
        #expect(start[2] == "  ^")
        let end = shown(column: 300)
        #expect(end[1] == "…" + line.suffix(120))
        #expect(end[2] == String(repeating: " ", count: 120) + "^")
    }

    @Test func summaryCountsWithPlurals() {
        let at = SourceLocation(file: "f", line: 1, column: 1)
        #expect(DiagnosticRenderer.summary([]) == "0 errors, 0 warnings")
        #expect(
            DiagnosticRenderer.summary([.error("r", "m", at: at), .error("r", "m", at: at)]) == "2 errors, 0 warnings")
    }

    @Test func githubAnnotationsEscapeProperties() {
        let diagnostic = Diagnostic.error(
            "r", "50% done\nnext", at: SourceLocation(file: "a,b:c.yaml", line: 1, column: 2))
        #expect(
            DiagnosticRenderer(format: .github).render([diagnostic], sources: [:])
                == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=zibri r::50%25 done%0Anext [r]\n")
    }
}
