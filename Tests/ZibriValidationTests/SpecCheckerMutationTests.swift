import Foundation
import Testing
import ZibriSchema
import ZibriTesting
import ZibriValidation

/// Random single mutations of valid specs (delete a line, swap a value's type, duplicate a
/// key, truncate, splice bytes): the pipeline never crashes, answers every unusable file with
/// an error, and every diagnostic points inside the file.
@Suite(.timeLimit(.minutes(2))) struct SpecCheckerMutationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let seeds: [String] = [
        "Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml",
        "Tests/ZibriSchemaTests/Corpus/valid/every-key.yaml",
    ]

    static let replacementValues = [
        "[1, 2]", "{ x: 1 }", "\"text\"", "12", "-1", "true", "~", "1.5", "''", "[", "*nope",
    ]

    static let structuralTokens = ["[", "{", "- ", "{a: ", "&x ", "*x ", "&x [*x, ", "? ", ": ", "\n ", "\t", "\""]

    static func mutate(_ text: String, using generator: inout SeededGenerator) -> (name: String, bytes: [UInt8]) {
        var lines = text.components(separatedBy: "\n")
        let index = Int.random(in: 0..<lines.count, using: &generator)
        switch Int.random(in: 0..<7, using: &generator) {
        case 0:
            lines.remove(at: index)
            return ("delete line \(index + 1)", Array(lines.joined(separator: "\n").utf8))
        case 1:
            // Replace the value after the first ": " of the line.
            let line = lines[index]
            guard let colon = line.range(of: ": ") else { fallthrough }
            let value = replacementValues.randomElement(using: &generator)!
            lines[index] = String(line[..<colon.upperBound]) + value
            return ("line \(index + 1) value → \(value)", Array(lines.joined(separator: "\n").utf8))
        case 2:
            lines.insert(lines[index], at: index)
            return ("duplicate line \(index + 1)", Array(lines.joined(separator: "\n").utf8))
        case 3:
            let bytes = Array(text.utf8)
            let cut = Int.random(in: 0..<bytes.count, using: &generator)
            return ("truncate at byte \(cut)", Array(bytes[..<cut]))
        case 4:
            var bytes = Array(text.utf8)
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            let noise = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            bytes.insert(contentsOf: noise, at: at)
            return ("insert \(noise) at byte \(at)", bytes)
        case 5:
            // A burst of structure: nesting, anchors and aliases where they may not belong.
            var bytes = Array(text.utf8)
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            let token = structuralTokens.randomElement(using: &generator)!
            let burst = String(repeating: token, count: Int.random(in: 1...300, using: &generator))
            bytes.insert(contentsOf: Array(burst.utf8), at: at)
            return ("insert \(burst.count) bytes of \(token.debugDescription) at byte \(at)", bytes)
        default:
            lines[index] = "  " + lines[index]
            return ("indent line \(index + 1)", Array(lines.joined(separator: "\n").utf8))
        }
    }

    @Test(arguments: seeds)
    func mutatedSpecsAlwaysGetAnAnswer(_ seed: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(seed), encoding: .utf8)
        var generator = SeededGenerator(seed: 0x5EED)
        var broken = 0
        for round in 0..<400 {
            let (mutation, bytes) = Self.mutate(text, using: &generator)
            let result = SpecChecker.check(bytes: bytes, file: "m.yaml")
            let lineCount = SpecSource(file: "m.yaml", text: String(decoding: bytes, as: UTF8.self)).lineCount
            if result.spec == nil {
                #expect(result.diagnostics.hasErrors, "round \(round), \(mutation): no spec and no error")
            }
            if result.diagnostics.hasErrors { broken += 1 }
            for diagnostic in result.diagnostics {
                #expect(
                    (1...lineCount).contains(diagnostic.location.line) && diagnostic.location.column >= 1,
                    "round \(round), \(mutation): \(diagnostic) points outside the file")
                #expect(!diagnostic.message.isEmpty)
            }
        }
        // Most single mutations break a spec; if none did, the mutator is not doing its job.
        #expect(broken > 100)
    }

    /// Documents built to exhaust the parser: each is refused with its diagnostic, quickly,
    /// instead of crashing (Yams recurses once per nesting level) or expanding without end.
    static let hostileDocuments: [(name: String, yaml: @Sendable () -> String, rule: String)] = [
        ("flow sequences 200,000 deep", { "a: " + String(repeating: "[", count: 200_000) }, "yaml-too-deep"),
        ("flow mappings 100,000 deep", { String(repeating: "{a: ", count: 100_000) }, "yaml-too-deep"),
        (
            "block sequences 100,000 deep on one line", { String(repeating: "- ", count: 100_000) + "x" },
            "yaml-too-deep"
        ),
        (
            "block mappings 1,000 deep by indentation",
            { (0..<1_000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") },
            "yaml-too-deep"
        ),
        (
            "aliases of aliases (billion laughs)",
            {
                (1..<10).reduce("x0: &a0 [" + Array(repeating: "lol", count: 10).joined(separator: ",") + "]") {
                    $0 + "\nx\($1): &a\($1) [" + Array(repeating: "*a\($1 - 1)", count: 10).joined(separator: ",") + "]"
                }
            },
            "yaml-too-large"
        ),
        ("an alias of nothing", { "zibri: *nothing" }, "yaml-syntax"),
        (
            "a file over the size limit", { "a: \"" + String(repeating: "x", count: 9 * 1024 * 1024) + "\"" },
            "file-too-large"
        ),
    ]

    @Test(arguments: hostileDocuments.indices)
    func hostileDocumentsAreRefusedWithTheirDiagnostic(_ index: Int) throws {
        let (name, yaml, rule) = Self.hostileDocuments[index]
        let result = SpecChecker.check(yaml: yaml(), file: "hostile.yaml")
        #expect(result.spec == nil, "\(name)")
        #expect(result.diagnostics.map(\.rule) == [rule], "\(name): \(result.diagnostics)")
    }
}
