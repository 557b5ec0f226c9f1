struct SwiftProperty: Sendable {
    var jsonName: String
    var swiftName: String
    /// The type without the optional mark.
    var type: String
    var optional: Bool
    /// Stored out of line (`RecursiveBox`), because the model contains itself through it.
    var boxed: Bool
    /// Required and nullable: a nil is sent as `null`, not left out.
    var encodesNull: Bool
    var defaultLiteral: String?
    var doc: [String]

    var declaredType: String { optional ? "\(type)?" : type }
}
