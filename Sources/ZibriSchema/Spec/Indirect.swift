/// A box that lets value types nest (a list's `items` is itself a schema).
public final class Indirect<Value: Sendable>: Sendable {
    public let value: Value

    public init(_ value: Value) {
        self.value = value
    }
}
