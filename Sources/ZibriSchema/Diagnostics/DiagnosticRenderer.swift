import Foundation

/// Renders diagnostics as a compiler would: text with the source line and a caret, one JSON
/// document, or GitHub workflow annotations.
public struct DiagnosticRenderer: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case text, json, github
    }

    public var format: Format
    /// ANSI colours; only for a terminal.
    public var colors: Bool

    public init(format: Format = .text, colors: Bool = false) {
        self.format = format
        self.colors = colors
    }

    /// Renders the diagnostics of one or more files. `sources` are looked up by file name to show lines.
    public func render(_ diagnostics: [Diagnostic], sources: [String: SpecSource]) -> String {
        switch format {
        case .text: renderText(diagnostics, sources: sources)
        case .json: renderJSON(diagnostics)
        case .github: renderGitHub(diagnostics)
        }
    }

    /// `N errors, M warnings`.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        return "\(count(diagnostics.errorCount, "error")), \(count(diagnostics.warningCount, "warning"))"
    }

    private func paint(_ text: String, _ code: String) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    public func renderText(_ diagnostics: [Diagnostic], sources: [String: SpecSource]) -> String {
        var output = ""
        for diagnostic in diagnostics {
            let severity = diagnostic.severity == .error ? paint("error", "1;31") : paint("warning", "1;35")
            output +=
                paint("\(diagnostic.location):", "1") + " \(severity): "
                + paint(diagnostic.message, "1") + " [\(diagnostic.rule)]\n"
            if let fullLine = sources[diagnostic.location.file]?.line(diagnostic.location.line) {
                let (line, caretColumn) = Self.excerpt(of: fullLine, around: diagnostic.location.column)
                output += line + "\n"
                // Keep tabs so the caret lines up whatever the tab width.
                let prefix = line.unicodeScalars.prefix(max(0, caretColumn - 1))
                    .map { $0 == "\t" ? "\t" : " " }.joined()
                output += prefix + paint("^", "1;32") + "\n"
            }
            if let hint = diagnostic.hint {
                output += "  " + paint("hint:", "1;36") + " \(hint)\n"
            }
        }
        output += Self.summary(diagnostics) + "\n"
        return output
    }

    /// Source lines longer than this are shown as a window around the column.
    static let maxShownLineLength = 120

    /// The part of `line` to show, with `…` where it was cut, and the caret's column in it.
    /// A hostile or minified file can have a line of megabytes; echoing it helps nobody.
    static func excerpt(of line: String, around column: Int) -> (String, Int) {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count > maxShownLineLength else { return (line, column) }
        let caretIndex = min(max(column - 1, 0), scalars.count)
        let start = max(0, min(caretIndex - maxShownLineLength / 2, scalars.count - maxShownLineLength))
        let end = min(scalars.count, start + maxShownLineLength)
        var text = start > 0 ? "…" : ""
        text.unicodeScalars.append(contentsOf: scalars[start..<end])
        if end < scalars.count { text += "…" }
        return (text, caretIndex - start + 1 + (start > 0 ? 1 : 0))
    }

    public func renderJSON(_ diagnostics: [Diagnostic]) -> String {
        let items: [JSONValue] = diagnostics.map { diagnostic in
            var members: [String: JSONValue] = [
                "file": .string(diagnostic.location.file),
                "line": .integer(diagnostic.location.line),
                "column": .integer(diagnostic.location.column),
                "severity": .string(diagnostic.severity.rawValue),
                "rule": .string(diagnostic.rule),
                "message": .string(diagnostic.message),
            ]
            if let hint = diagnostic.hint { members["hint"] = .string(hint) }
            return .object(members)
        }
        let document: JSONValue = .object([
            "diagnostics": .array(items),
            "errors": .integer(diagnostics.errorCount),
            "warnings": .integer(diagnostics.warningCount),
        ])
        return document.jsonText + "\n"
    }

    public func renderGitHub(_ diagnostics: [Diagnostic]) -> String {
        // https://docs.github.com/actions/reference/workflow-commands-for-github-actions
        func escapeData(_ text: String) -> String {
            text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        func escapeProperty(_ text: String) -> String {
            escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        }
        var output = ""
        for diagnostic in diagnostics {
            let command = diagnostic.severity == .error ? "error" : "warning"
            var message = "\(diagnostic.message) [\(diagnostic.rule)]"
            if let hint = diagnostic.hint { message += "\nhint: \(hint)" }
            output +=
                "::\(command) file=\(escapeProperty(diagnostic.location.file)),line=\(diagnostic.location.line),"
                + "col=\(diagnostic.location.column),title=\(escapeProperty("zibri \(diagnostic.rule)"))::\(escapeData(message))\n"
        }
        return output
    }
}
