struct SwiftStruct: Sendable {
    var name: String
    var doc: [String]
    var properties: [SwiftProperty]
    var nested: [SwiftDeclaration]

    /// Written by hand rather than synthesized: a boxed property, or a `null` that must be sent.
    var needsCustomCoding: Bool { properties.contains { $0.boxed || $0.encodesNull } }
}
