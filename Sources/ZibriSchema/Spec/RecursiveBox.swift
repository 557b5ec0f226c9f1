/// Holds a value out of line, so that a generated struct can contain its own type (a `Comment`
/// with a `parent: Comment?`). Generated code uses it; it is a value type all the same: a
/// write makes a new box, never changes a shared one.
public struct RecursiveBox<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Storage: Sendable {
        let value: Value

        init(_ value: Value) {
            self.value = value
        }
    }

    private let storage: Storage

    public init(_ value: Value) {
        storage = Storage(value)
    }

    public var value: Value { storage.value }

    public static func == (lhs: RecursiveBox, rhs: RecursiveBox) -> Bool {
        lhs.storage === rhs.storage || lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}
