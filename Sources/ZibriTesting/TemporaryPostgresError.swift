public struct TemporaryPostgresError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
