/// Why a `pattern` cannot be used, with the position (in Unicode scalars) of the problem.
public struct ECMAPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public var description: String { "\(message) (at character \(offset + 1))" }
}
