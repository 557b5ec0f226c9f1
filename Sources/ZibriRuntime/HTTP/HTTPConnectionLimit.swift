import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many connections that are not WebSocket connections may be open at once
/// (`server.maxHTTPConnections`), and how many are. A connection holds a place from its
/// acceptance until it closes or upgrades, so connections that never finish a request (or
/// never send one) cannot take every descriptor the process has: beyond the limit a new one is
/// refused at once, and the descriptors left serve WebSocket clients and the store.
final class HTTPConnectionLimit: Sendable {
    let maximum: Int
    private let open = Atomic<Int>(0)

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Half the process's descriptor limit (its soft limit), at least 1.
    static func defaultMaximum() -> Int {
        var limit = rlimit()
        #if canImport(Glibc)
        let status = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let status = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        // No limit (RLIM_INFINITY) or an absurd one: the process will meet the kernel's first.
        guard status == 0, limit.rlim_cur < rlim_t(1 << 30) else { return 10_000 }
        return max(1, Int(limit.rlim_cur) / 2)
    }

    /// Takes a place, or returns nil when all are taken.
    func take() -> Place? {
        var current = open.load(ordering: .relaxed)
        while current < maximum {
            let (exchanged, original) = open.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return Place(limit: self) }
            current = original
        }
        return nil
    }

    /// Connections holding a place now.
    var count: Int { open.load(ordering: .relaxed) }

    fileprivate func giveBack() {
        open.subtract(1, ordering: .relaxed)
    }

    /// One connection's place: given back once, when the connection closes or upgrades.
    final class Place: Sendable {
        private let limit: HTTPConnectionLimit
        private let held = Atomic<Bool>(true)

        fileprivate init(limit: HTTPConnectionLimit) {
            self.limit = limit
        }

        func giveBack() {
            if held.exchange(false, ordering: .relaxed) { limit.giveBack() }
        }
    }
}
