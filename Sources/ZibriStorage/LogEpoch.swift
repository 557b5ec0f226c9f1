/// A log's epoch (see `ZibriStore.logEpoch`): drawn at random when the log is created and kept
/// in it as an integer, shown to clients as 16 hex digits.
package enum LogEpoch {
    /// A positive 62-bit value, so that it fits every store's integer column.
    package static func random() -> Int {
        Int.random(in: 1...(1 << 62))
    }

    package static func text(_ value: Int) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
