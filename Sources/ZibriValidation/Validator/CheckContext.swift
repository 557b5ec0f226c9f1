import ZibriSchema

/// The state of one validation: where we are (a path, rendered into a JSON pointer only when
/// a problem is found) and what was found.
struct CheckContext {
    enum PathComponent {
        case key(String)
        case index(Int)
    }

    var path: [PathComponent] = []
    var problems: [ValidationProblem] = []
    var truncated = false
    let maxProblems: Int
    let maxDepth: Int
    /// Set while checking a value that must never appear in a message (a secret-looking header).
    var redactValues = false
    /// A pointer prefix such as `/query`, for parameters.
    var pointerPrefix = ""

    init(maxProblems: Int, maxDepth: Int) {
        self.maxProblems = maxProblems
        self.maxDepth = maxDepth
    }

    var pointer: String {
        var pointer = pointerPrefix
        for component in path {
            switch component {
            case .key(let key): pointer = JSONPointer.appending(key, to: pointer)
            case .index(let index): pointer += "/\(index)"
            }
        }
        return pointer
    }

    mutating func add(_ code: String, _ message: String) {
        guard problems.count < maxProblems else {
            truncated = true
            return
        }
        problems.append(ValidationProblem(pointer: pointer, code: code, message: message))
    }

    /// A value for a message: short scalars as themselves, other values by their type.
    func describe(_ value: JSONValue) -> String {
        if redactValues {
            return "a value of type \(value.typeName)"
        }
        switch value {
        case .string(let text): return "the string \(JSONValue.string(Checker.shorten(text)).jsonText)"
        case .integer, .number, .bool: return Checker.shorten(value.jsonText)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        case .date: return "a date"
        }
    }
}
