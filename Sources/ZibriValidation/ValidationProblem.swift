/// One reason a value is invalid: where (a JSON pointer, RFC 6901), which keyword, and why.
public struct ValidationProblem: Sendable, Hashable, CustomStringConvertible {
    public var pointer: String
    public var code: String
    public var message: String

    public init(pointer: String, code: String, message: String) {
        self.pointer = pointer
        self.code = code
        self.message = message
    }

    public var description: String { "\(pointer.isEmpty ? "/" : pointer): \(message) [\(code)]" }
}

package enum JSONPointer {
    /// Appends a reference token, escaping `~` as `~0` and `/` as `~1`.
    package static func appending(_ token: String, to pointer: String) -> String {
        guard token.contains("~") || token.contains("/") else { return pointer + "/" + token }
        return pointer + "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
