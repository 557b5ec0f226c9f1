/// A logged message with its place in the one sequence of the log.
public struct StoredMessage: Sendable, Hashable {
    public let seq: Int
    public let entry: LogEntry

    public init(seq: Int, entry: LogEntry) {
        self.seq = seq
        self.entry = entry
    }
}
