import Foundation

/// Spec names (`chat message`, `created_at`, `in-progress`) as Swift identifiers.
enum SwiftNames {
    /// Words that need backticks where an identifier is declared.
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer",
        "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where",
        "while", "as", "false", "is", "nil", "super", "throws", "true", "try", "Any", "Self", "self", "Type",
        "Protocol", "await", "async",
    ]

    /// The words of a name: split at anything that is not a letter or a digit, and where a
    /// lower-case letter or a digit is followed by an upper-case one (`createdAt`, `URLPath`).
    static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        let scalars = Array(name.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let isAlphanumeric = CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII
            guard isAlphanumeric else {
                if !current.isEmpty { words.append(current) }
                current = ""
                continue
            }
            if let previous = current.unicodeScalars.last, isUpper(scalar) {
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                // `aB` starts a word at B; `ABc` starts one at B too (`URLPath` is URL, Path).
                if !isUpper(previous) || (next.map(isLower) ?? false) {
                    words.append(current)
                    current = ""
                }
            }
            current.unicodeScalars.append(scalar)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `chat message` → `ChatMessage`, `todo_item` → `TodoItem`; a type's name.
    static func typeName(_ name: String) -> String {
        let joined = words(name).map { word in word.prefix(1).uppercased() + word.dropFirst() }.joined()
        return safe(joined.isEmpty ? "Value" : joined)
    }

    /// `created_at` → `createdAt`, `URL` → `url`, `in-progress` → `inProgress`; a property's,
    /// case's or method's name, with backticks where it is a keyword.
    static func memberName(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return "value" }
        let head = first == first.uppercased() ? first.lowercased() : first.prefix(1).lowercased() + first.dropFirst()
        let tail = parts.dropFirst().map { word in word.prefix(1).uppercased() + word.dropFirst() }
        return safe(([head] + tail).joined())
    }

    /// A member name as written at its declaration: keywords in backticks.
    static func declared(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    private static func safe(_ name: String) -> String {
        guard let first = name.unicodeScalars.first, CharacterSet.decimalDigits.contains(first) else { return name }
        return "_" + name
    }

    private static func isUpper(_ scalar: Unicode.Scalar) -> Bool { scalar >= "A" && scalar <= "Z" }
    private static func isLower(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
    }

    /// `name`, or `name2`, `name3`… whichever `taken` does not hold yet; the result is added.
    static func unique(_ name: String, in taken: inout Set<String>) -> String {
        var candidate = name
        var number = 2
        while taken.contains(candidate) {
            candidate = "\(name)\(number)"
            number += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// `type` with each of `names` (nested types) written as `owner.name`: `[Priority]` →
    /// `[Todo.Priority]`. Only whole identifiers are replaced.
    static func qualifying(_ names: Set<String>, in type: String, with owner: String) -> String {
        guard !names.isEmpty else { return type }
        var result = ""
        var word = ""
        var previous: Character?
        func flush() {
            result += names.contains(word) && previous != "." ? "\(owner).\(word)" : word
            word = ""
        }
        for character in type {
            if character.isLetter || character.isNumber || character == "_" {
                if word.isEmpty { previous = result.last }
                word.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }

    /// A Swift string literal for `text`.
    static func literal(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Text for a `///` line: one line, no control characters.
    static func docText(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
