public struct Info: Sendable {
    public var title: String
    public var version: String
    public var description: String?
}
