import Foundation

/// The source text of a spec, kept so diagnostics can show the offending line.
public struct SpecSource: Sendable {
    public let file: String
    public let text: String
    /// UTF-8 offsets where each line starts, found once.
    private let lineStarts: [Int]

    public init(file: String, text: String) {
        self.file = file
        self.text = text
        // Line breaks as YAML (and so libyaml's line numbers) count them: LF, CRLF and a lone CR.
        var starts = [0]
        var previous: UInt8 = 0
        for (offset, byte) in text.utf8.enumerated() {
            if byte == UInt8(ascii: "\n") {
                starts.append(offset + 1)
            } else if previous == UInt8(ascii: "\r") {
                starts.append(offset)
            }
            previous = byte
        }
        if previous == UInt8(ascii: "\r") { starts.append(text.utf8.count) }
        self.lineStarts = starts
    }

    /// The number of lines; a file that ends with a line break has an empty last line.
    public var lineCount: Int { lineStarts.count }

    /// Where a character appended to the text would stand: after the end of the last line.
    public var end: SourceLocation {
        SourceLocation(file: file, line: lineCount, column: (line(lineCount)?.unicodeScalars.count ?? 0) + 1)
    }

    /// The line at 1-based `number`, without its line break.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: lineStarts[number - 1])
        var end = number < lineStarts.count ? utf8.index(utf8.startIndex, offsetBy: lineStarts[number]) : utf8.endIndex
        while end > start, [UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(utf8[utf8.index(before: end)]) {
            end = utf8.index(before: end)
        }
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }
}

/// The result of loading: a spec when the file could be read as one, and every diagnostic.
public struct SpecLoadResult: Sendable {
    public var spec: Spec?
    public var source: SpecSource?
    public var diagnostics: [Diagnostic]
}

/// Stages 1 and 2 of the pipeline (YAML, then the typed spec), then stage 3, the linter.
public enum SpecLoader {
    /// Reads, parses and lints the file at `path`. `displayName` is the file name used in diagnostics.
    public static func load(
        contentsOf path: String, displayName: String? = nil, limits: YAMLLimits = YAMLLimits()
    ) throws
        -> SpecLoadResult
    {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return load(bytes: [UInt8](data), file: displayName ?? path, limits: limits)
    }

    public static func load(bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) -> SpecLoadResult {
        let (root, yamlDiagnostics) = YAMLLoader.load(bytes, file: file, limits: limits)
        let source = String(validating: bytes, as: UTF8.self).map { SpecSource(file: file, text: $0) }
        guard let root else {
            return SpecLoadResult(spec: nil, source: source, diagnostics: yamlDiagnostics)
        }
        return decodeAndLint(root, file: file, source: source)
    }

    public static func load(yaml: String, file: String = "spec.zibri.yaml") -> SpecLoadResult {
        load(bytes: Array(yaml.utf8), file: file)
    }

    private static func decodeAndLint(_ root: YAMLNode, file: String, source: SpecSource?) -> SpecLoadResult {
        var decoder = SpecDecoder(file: file)
        let spec = decoder.decode(root)
        var diagnostics = decoder.diagnostics
        if let spec {
            diagnostics += SpecLinter.lint(spec)
        }
        return SpecLoadResult(spec: spec, source: source, diagnostics: diagnostics.sortedByLocation())
    }
}

extension SpecLoader {
    /// Reads a property schema written on its own (e.g. `zibri validate --type '{ type: array }'`)
    /// and lints it against `spec`'s models. A bare name is shorthand for `{ type: NAME }`.
    public static func loadSchema(
        yaml: String, file: String, in spec: Spec
    ) -> (
        schema: PropertySchema?, diagnostics: [Diagnostic]
    ) {
        let (root, yamlDiagnostics) = YAMLLoader.load(yaml, file: file)
        guard let root else { return (nil, yamlDiagnostics) }
        var decoder = SpecDecoder(file: file)
        let schema = decoder.schemaOrTypeName(root, "the schema")
        var diagnostics = decoder.diagnostics
        if let schema {
            diagnostics += SpecLinter.lint(schema: schema, in: spec)
        }
        return (diagnostics.hasErrors ? nil : schema, diagnostics)
    }
}
