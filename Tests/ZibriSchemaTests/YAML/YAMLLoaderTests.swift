import Testing
import ZibriSchema

@Suite struct YAMLLoaderTests {
    @Test func nodesKeepLineAndColumn() throws {
        let yaml = "a:\n  b: [1, \"x\"]\n  c: { d: true }\n"
        let (root, diagnostics) = YAMLLoader.load(yaml, file: "f.yaml")
        #expect(diagnostics.isEmpty)
        let b = try #require(root?["a"]?["b"])
        #expect(b.location == SourceLocation(file: "f.yaml", line: 2, column: 6))
        #expect(b.sequence?[1].location == SourceLocation(file: "f.yaml", line: 2, column: 10))
        let d = try #require(root?["a"]?["c"]?.mapping?.first)
        #expect(d.key.location == SourceLocation(file: "f.yaml", line: 3, column: 8))
        #expect(d.value.scalar?.value == .bool(true))
    }

    @Test func scalarsResolveByTheYAML12CoreSchema() throws {
        let yaml = """
            - yes
            - on
            - true
            - False
            - ~
            - 12
            - -3
            - 0x1F
            - 1.5
            - 1e3
            - .inf
            - "12"
            - 1.0.0
            - 2024-01-01
            - !!str 5
            """
        let items = try #require(YAMLLoader.load(yaml, file: "f").root?.sequence).map { $0.scalar!.value }
        #expect(
            items == [
                .string("yes"), .string("on"), .bool(true), .bool(false), .null, .integer(12), .integer(-3),
                .integer(31), .number(1.5), .number(1000), .number(.infinity), .string("12"), .string("1.0.0"),
                .string("2024-01-01"), .string("5"),
            ])
    }

    @Test func integersBeyond64BitsBecomeNumbersNotCrashes() throws {
        let root = YAMLLoader.load("n: 123456789012345678901234567890", file: "f").root
        #expect(root?["n"]?.scalar?.value == .number(123456789012345678901234567890))
    }

    @Test func duplicateKeysAreKeptForTheLinter() throws {
        let root = try #require(YAMLLoader.load("a: 1\na: 2\n", file: "f").root)
        #expect(root.mapping?.count == 2)
    }

    @Test func filesOverTheSizeLimitAreRefusedBeforeParsing() {
        var limits = YAMLLimits()
        limits.maxFileBytes = 10
        let (root, diagnostics) = YAMLLoader.load(
            Array("zibri: \"1\"\ninfo: {}\n".utf8), file: "big.yaml", limits: limits)
        #expect(root == nil)
        #expect(
            diagnostics.map(\.description) == [
                "big.yaml:1:1: error: the file is 20 bytes, over the limit of 10 bytes [file-too-large]"
            ])
    }

    @Test func nodeAndDepthLimitsAreConfigurable() {
        var limits = YAMLLimits()
        limits.maxNodes = 5
        #expect(
            YAMLLoader.load("[1, 2, 3, 4, 5, 6]", file: "f", limits: limits).diagnostics.first?.rule == "yaml-too-large"
        )
        limits = YAMLLimits()
        limits.maxDepth = 2
        #expect(YAMLLoader.load("[[[[1]]]]", file: "f", limits: limits).diagnostics.first?.rule == "yaml-too-deep")
        #expect(YAMLLoader.load("[[1]]", file: "f", limits: limits).diagnostics.isEmpty)
        // Found before Yams builds its tree (which recurses once per level), at the first node too deep.
        #expect(
            YAMLLoader.load("a:\n  - [1, [2, 3]]\n", file: "f", limits: limits).diagnostics.map(\.description) == [
                "f:2:6: error: the document nests deeper than 2 levels [yaml-too-deep]"
            ])
    }

    @Test func syntaxErrorsPointAtTheProblem() {
        let diagnostics = YAMLLoader.load("a: [1, 2\nb: 3\n", file: "f.yaml").diagnostics
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.rule == "yaml-syntax")
        #expect(diagnostics.first?.location.line == 2)
    }

    @Test func positionsPastTheEndPointAtTheEndOfTheLastLine() {
        // libyaml puts the empty root of a bare `---` on line 2, which does not exist.
        let root = YAMLLoader.load("---", file: "f").root
        #expect(root?.location == SourceLocation(file: "f", line: 1, column: 4))
    }

    @Test func multipleDocumentsAreAnError() {
        let diagnostics = YAMLLoader.load("a: 1\n---\nb: 2\n", file: "f.yaml").diagnostics
        #expect(diagnostics.first?.rule == "yaml-syntax")
        #expect(diagnostics.first?.location.line == 2)
    }
}
