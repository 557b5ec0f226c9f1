public import Foundation

/// A JSON document as a value: spec literals (`default`, `example`, `enum`) and, at run time,
/// request and message bodies.
///
/// Equality follows JSON Schema: `1` equals `1.0`, arrays and objects compare deeply, and
/// `false` is not `0`.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// A `date` property after validation; written as an RFC 3339 date-time.
    case date(Date)
}

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): Int(exactly: b) == a
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        case (.date(let a), .date(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .integer(let value): hasher.combine(value)
        case .number(let value):
            // Whole doubles hash like the integer they equal.
            if let whole = Int(exactly: value) { hasher.combine(whole) } else { hasher.combine(value) }
        case .string(let value): hasher.combine(value)
        case .array(let value): hasher.combine(value)
        case .object(let value): hasher.combine(value)
        case .date(let value): hasher.combine(value)
        }
    }
}

extension JSONValue {
    /// The JSON Schema type name: null, boolean, integer, number, string, array, object.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number(let value): Int(exactly: value) != nil ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .date: "string"
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Integers and numbers as a double.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// Compact JSON text, keys sorted so the output is stable.
    public var jsonText: String {
        var bytes: [UInt8] = []
        appendJSON(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the compact JSON text (as `jsonText`) to `bytes`: what the runtime's encoder
    /// writes for a `JSONValue` inside an answer.
    package func appendJSON(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): bytes.append(contentsOf: String(value).utf8)
        case .number(let value):
            if let whole = Int(exactly: value) {
                bytes.append(contentsOf: String(whole).utf8)
            } else if value.isFinite {
                bytes.append(contentsOf: "\(value)".utf8)
            } else {
                bytes.append(contentsOf: "null".utf8)
            }
        case .string(let value): JSONValue.appendEscaped(value, to: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                value.appendJSON(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONValue.appendEscaped(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                members[key]!.appendJSON(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        case .date(let date): JSONValue.appendEscaped(ISO8601.format(date), to: &bytes)
        }
    }

    /// Appends `string` as a JSON string: `"` and `\\` escaped, control characters as `\n`,
    /// `\r`, `\t`, `\b`, `\f` or `\u00XX`; nothing else (not `/`, not non-ASCII).
    package static func appendEscaped(_ string: String, to bytes: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var start = 0
            var index = 0
            while index < utf8.count {
                // Eight bytes at a time while none needs escaping: most text has nothing to escape.
                if index + 8 <= utf8.count {
                    let word = UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    if !needsEscaping(word) {
                        index += 8
                        continue
                    }
                }
                let byte = utf8[index]
                index += 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index - 1]))
                start = index
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Whether any of the eight bytes is a control character, `"` or `\\` (the classic
    /// "has a byte less than n" and "has a zero byte" bit tricks; bytes of 0x80 and more, the
    /// parts of multi-byte characters, never match).
    private static func needsEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote & highs
        let zeroInBackslash = (backslash &- ones) & ~backslash & highs
        return (control | zeroInQuote | zeroInBackslash) != 0
    }
}
