/// The intervals of the log over which someone was a member of one channel, oldest first: a
/// member after seq `joinedAfter` and, once it left, through `leftAfter`. The in-memory store's
/// model of the table rows the other stores keep.
struct Intervals: Sendable {
    struct Interval: Sendable {
        var joinedAfter: Int
        var leftAfter: Int?
    }

    private(set) var intervals: [Interval] = []

    /// A member now.
    var isOpen: Bool { intervals.last.map { $0.leftAfter == nil } ?? false }

    var isEmpty: Bool { intervals.isEmpty }

    /// A member stays one from where it was; one that left at or after `seq` is a member again
    /// without a break (a join, a leave and a join with no message between are one interval).
    mutating func join(after seq: Int) {
        guard !isOpen else { return }
        if let left = intervals.last?.leftAfter, left >= seq {
            intervals[intervals.count - 1].leftAfter = nil
        } else {
            intervals.append(Interval(joinedAfter: seq, leftAfter: nil))
        }
    }

    mutating func leave(after seq: Int) {
        guard isOpen else { return }
        intervals[intervals.count - 1].leftAfter = seq
    }

    /// A member when the message of `seq` was logged.
    func holds(_ seq: Int) -> Bool {
        intervals.contains { $0.joinedAfter < seq && ($0.leftAfter.map { seq <= $0 } ?? true) }
    }

    /// Without the ended intervals that hold no seq after `seq` (their messages are gone).
    func trimmed(through seq: Int) -> Intervals {
        Intervals(intervals: intervals.filter { interval in interval.leftAfter.map { $0 > seq } ?? true })
    }
}
