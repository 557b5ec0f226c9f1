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

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
