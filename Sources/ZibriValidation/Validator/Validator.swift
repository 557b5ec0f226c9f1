public import ZibriSchema

/// A validator compiled from one property schema or model: immutable, shareable, built once.
///
/// `validate` returns the normalized value (defaults filled in, `date` strings turned into
/// dates, nothing else changed) or throws every problem found.
public struct Validator: Sendable {
    let root: SchemaNode
    /// Keeps the nodes `root` reaches through model references alive.
    let graph: SchemaGraph
    /// At most this many problems are listed (then `truncated` is set).
    public let maxProblems: Int
    /// Nesting of models and lists deeper than this is a problem, not a stack overflow.
    public let maxDepth: Int

    init(root: SchemaNode, graph: SchemaGraph, maxProblems: Int = 100, maxDepth: Int = 64) {
        self.root = root
        self.graph = graph
        self.maxProblems = maxProblems
        self.maxDepth = maxDepth
    }

    /// Validates `value` and returns it normalized. Taking the value (`consuming`) lets a value
    /// nobody else holds be normalized in place instead of copied.
    public func validate(_ value: consuming JSONValue) throws(ValidationFailure) -> JSONValue {
        var normalized = value
        try validateInPlace(&normalized)
        return normalized
    }

    func validateInPlace(_ value: inout JSONValue) throws(ValidationFailure) {
        var context = CheckContext(maxProblems: maxProblems, maxDepth: maxDepth)
        Checker.check(&value, root, &context, depth: 0)
        guard context.problems.isEmpty else {
            throw ValidationFailure(problems: Self.documentOrder(context.problems), truncated: context.truncated)
        }
    }

    /// Objects are walked in their dictionary's order, which differs between processes; sort
    /// the problems by pointer (indices numerically) so the same input always reads the same.
    static func documentOrder(_ problems: [ValidationProblem]) -> [ValidationProblem] {
        func tokens(_ pointer: String) -> [Substring] {
            pointer.split(separator: "/", omittingEmptySubsequences: false)
        }
        return problems.enumerated().sorted { left, right in
            let a = tokens(left.element.pointer)
            let b = tokens(right.element.pointer)
            for (x, y) in zip(a, b) where x != y {
                if let i = Int(x), let j = Int(y) { return i < j }
                return x < y
            }
            return a.count != b.count ? a.count < b.count : left.offset < right.offset
        }.map(\.element)
    }

    /// Parses and validates a JSON document. Malformed JSON is one problem with the code `json`.
    public func validate(json bytes: [UInt8]) throws(ValidationFailure) -> JSONValue {
        var value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            throw ValidationFailure(problems: [
                ValidationProblem(pointer: "", code: "json", message: "is not valid JSON: \(error)")
            ])
        }
        try validateInPlace(&value)
        return value
    }
}

extension Validator {
    /// Validates and decodes into the developer's type from one parse of `bytes`. Throws
    /// `ValidationFailure` for invalid input and `DecodingError` when the type does not fit
    /// the spec (a programming error, not the client's).
    public func decode<T: Decodable>(_ type: T.Type, fromJSON bytes: [UInt8]) throws -> T {
        try JSONValueDecoder().decode(type, from: validate(json: bytes))
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoder().decode(type, from: validate(value))
    }
}
