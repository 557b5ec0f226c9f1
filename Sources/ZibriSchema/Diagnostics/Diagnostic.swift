/// One recoverable problem found while loading, linting or compiling a spec.
///
/// Stages collect every diagnostic they find in one pass instead of stopping at the first.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    public var severity: Severity
    /// A stable identifier of the rule that produced the diagnostic, e.g. `unknown-key`.
    public var rule: String
    public var message: String
    public var location: SourceLocation
    /// A suggestion that helps fix the problem, e.g. "did you mean 'maxLength'?".
    public var hint: String?

    public init(
        _ severity: Severity,
        rule: String,
        _ message: String,
        at location: SourceLocation,
        hint: String? = nil
    ) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.location = location
        self.hint = hint
    }

    public static func error(
        _ rule: String, _ message: String, at location: SourceLocation, hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, rule: rule, message, at: location, hint: hint)
    }

    public static func warning(
        _ rule: String, _ message: String, at location: SourceLocation, hint: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, rule: rule, message, at: location, hint: hint)
    }

    /// `file:line:column: severity: message [rule]`, the first line of the text rendering.
    public var description: String {
        "\(location): \(severity.rawValue): \(message) [\(rule)]"
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errorCount: Int { count { $0.severity == .error } }
    public var warningCount: Int { count { $0.severity == .warning } }

    /// Sorted by file position, then severity (errors first), then rule, so output is stable.
    public func sortedByLocation() -> [Diagnostic] {
        sorted {
            if $0.location != $1.location { return $0.location < $1.location }
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            return ($0.rule, $0.message) < ($1.rule, $1.message)
        }
    }
}
