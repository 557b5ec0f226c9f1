public import Foundation
public import ZibriSchema

/// Snippet tests: a folder of `NAME.yaml` specs, each with `NAME.expected`, the exact text
/// `zibri lint` prints for it. Set `ZIBRI_UPDATE_SNIPPETS=1` to rewrite the expected files
/// (then read the diff before committing it).
public struct SnippetSuite: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The folder `Snippets` beside the calling test file.
    public init(besides filePath: String = #filePath, folder: String = "Snippets") {
        self.directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent(folder)
    }

    /// The snippet names, sorted.
    public var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()
    }

    public func yamlBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).yaml")))
    }

    public func expected(_ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent("\(name).expected"), encoding: .utf8)
    }

    /// Renders what `check` reports for the snippet, as `zibri lint` prints it without colours.
    public func actual(
        _ name: String, check: ([UInt8], String) -> (diagnostics: [Diagnostic], source: SpecSource?)
    ) throws -> String {
        let file = "\(name).yaml"
        let result = check(try yamlBytes(name), file)
        var sources: [String: SpecSource] = [:]
        if let source = result.source { sources[file] = source }
        let text = DiagnosticRenderer(format: .text).render(result.diagnostics, sources: sources)
        if ProcessInfo.processInfo.environment["ZIBRI_UPDATE_SNIPPETS"] == "1" {
            try text.write(to: directory.appendingPathComponent("\(name).expected"), atomically: true, encoding: .utf8)
        }
        return text
    }

    /// Rule ids named in the expected files, `[rule-id]` at the end of a diagnostic line.
    public var rulesCovered: Set<String> {
        var rules: Set<String> = []
        for name in names {
            for line in (expected(name) ?? "").split(separator: "\n")
            where line.hasSuffix("]") && (line.contains(": error: ") || line.contains(": warning: ")) {
                if let open = line.lastIndex(of: "[") {
                    rules.insert(String(line[line.index(after: open)..<line.index(before: line.endIndex)]))
                }
            }
        }
        return rules
    }
}
