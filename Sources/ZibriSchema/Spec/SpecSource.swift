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
