/// The body of a route that has none.
public struct NoBody: Decodable, Sendable, Equatable {
    public init() {}
}
