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
