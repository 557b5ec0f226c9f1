struct SwiftEnum: Sendable {
    var name: String
    var doc: [String]
    var cases: [(name: String, raw: String)]
}
