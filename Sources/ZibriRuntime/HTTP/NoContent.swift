/// The result of a handler whose route has no `response`: the answer is 204.
public struct NoContent: Encodable, Sendable, Equatable {
    public init() {}
}
