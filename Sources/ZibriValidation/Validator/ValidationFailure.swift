/// Every problem found in a value (up to a cap), as thrown by `Validator`.
public struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [ValidationProblem]
    /// More problems existed than the cap allowed to list.
    public var truncated: Bool

    public init(problems: [ValidationProblem], truncated: Bool = false) {
        self.problems = problems
        self.truncated = truncated
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n") + (truncated ? "\n(more problems not listed)" : "")
    }
}
