public import ZibriSchema

/// An RFC 9457 problem document, the one error shape of HTTP and WebSocket answers.
public struct ProblemDocument: Sendable, Hashable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var errors: [ValidationProblem]

    public init(type: String, title: String, status: Int, detail: String, errors: [ValidationProblem] = []) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// The document for a validation failure: `urn:zibri:problem:validation`, 400.
    public static func validation(_ failure: ValidationFailure) -> ProblemDocument {
        var detail: String
        if let first = failure.problems.first {
            detail = "\(first.pointer.isEmpty ? "the value" : first.pointer) \(first.message)"
            if failure.problems.count > 1 {
                detail += " (and \(Checker.plural(failure.problems.count - 1, "more problem")))"
            }
        } else {
            detail = "the value is invalid"
        }
        if failure.truncated {
            detail += "; more problems were found than are listed"
        }
        return ProblemDocument(
            type: "urn:zibri:problem:validation", title: "Validation failed", status: 400, detail: detail,
            errors: failure.problems)
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .integer(status), "detail": .string(detail),
        ]
        if !errors.isEmpty {
            members["errors"] = .array(
                errors.map {
                    .object(["pointer": .string($0.pointer), "code": .string($0.code), "detail": .string($0.message)])
                })
        }
        return .object(members)
    }
}

extension ValidationFailure {
    /// This failure with every pointer under `prefix` (e.g. `/body`).
    public func prefixed(_ prefix: String) -> ValidationFailure {
        ValidationFailure(
            problems: problems.map {
                ValidationProblem(pointer: prefix + $0.pointer, code: $0.code, message: $0.message)
            },
            truncated: truncated)
    }
}
