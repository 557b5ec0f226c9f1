import Foundation

/// A throw-away PostgreSQL cluster for tests: `initdb` and `pg_ctl` in a temporary directory,
/// on a free port of 127.0.0.1, with trust authentication and `fsync` off (nothing in it must
/// survive). Run as the `postgres` user when the tests run as root (PostgreSQL refuses root).
/// `start()` returns nil when the binaries are not on the machine; tests then say they skipped.
public final class TemporaryPostgres: Sendable {
    public let port: Int
    private let directory: URL
    private let binaries: URL
    private let asUser: String?

    /// `postgres://postgres@127.0.0.1:PORT/DATABASE`
    public func url(database: String = "postgres") -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)"
    }

    /// Where PostgreSQL's programs are: Debian's /usr/lib/postgresql/VERSION/bin, or the PATH.
    static func findBinaries() -> URL? {
        let debian = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: debian.path)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = debian.appendingPathComponent(version).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        for path in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let bin = URL(fileURLWithPath: String(path))
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        return nil
    }

    /// Starts a cluster, or returns nil when PostgreSQL is not installed. It is stopped by
    /// `stop()`, or when the process exits (a cluster held by a `static let` is never deinited).
    /// The programs run on a thread of their own: waiting for them must not hold one of Swift's
    /// few cooperative threads, which every other test needs.
    public static func start() async throws -> TemporaryPostgres? {
        guard let binaries = findBinaries() else { return nil }
        let cluster = try await offThePool { try TemporaryPostgres(binaries: binaries) }
        running.withLock { clusters in
            if clusters.isEmpty { atexit { TemporaryPostgres.stopAll() } }
            clusters.append(cluster)
        }
        return cluster
    }

    private static let running = Locked<[TemporaryPostgres]>([])

    /// One cluster for the whole test process (started by the first caller; tests give each
    /// store a database of its own), or nil when PostgreSQL is not installed.
    public static func shared() async throws -> TemporaryPostgres? {
        try await SharedCluster.instance.get()
    }

    private actor SharedCluster {
        static let instance = SharedCluster()
        private var started: Task<TemporaryPostgres?, any Error>?

        func get() async throws -> TemporaryPostgres? {
            if let started { return try await started.value }
            let starting = Task { try await TemporaryPostgres.start() }
            started = starting
            return try await starting.value
        }
    }

    /// The message tests print when PostgreSQL is missing.
    public static let skipped = "skipped: PostgreSQL binaries not found (install Debian's postgresql package)"

    private static func stopAll() {
        for cluster in running.withLock({ $0 }) { cluster.stop() }
    }

    private init(binaries: URL) throws {
        self.binaries = binaries
        asUser = getuid() == 0 ? "postgres" : nil
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("zibri-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let asUser {
            guard try Self.spawnAndWait(["/bin/chown", "-R", asUser, directory.path]) == 0 else {
                throw TemporaryPostgresError(message: "cannot give \(directory.path) to \(asUser)")
            }
        }
        port = try Self.freePort()
        try run("initdb", ["-D", dataPath, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
        try startServer()
    }

    private var dataPath: String { directory.appendingPathComponent("data").path }

    private func startServer() throws {
        try run(
            "pg_ctl",
            [
                "-D", dataPath, "-w", "-l", directory.appendingPathComponent("log").path, "-o",
                "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                "start",
            ])
    }

    /// Stops the server (its connections are cut), waits `downFor`, and starts it again on the
    /// same files and port: a PostgreSQL restart as the nodes see it.
    public func restart(downFor: Duration) async throws {
        try await pause()
        try await Task.sleep(for: downFor)
        try await resume()
    }

    /// Stops the server (its connections are cut) and keeps its files, for `resume()`.
    public func pause() async throws {
        try await offThePool { try self.run("pg_ctl", ["-D", self.dataPath, "-m", "fast", "-w", "stop"]) }
    }

    /// Starts the server `pause()` stopped, on the same files and port.
    public func resume() async throws {
        try await offThePool { try self.startServer() }
    }

    /// Runs a PostgreSQL program to completion, its output appended to `commands.log`.
    ///
    /// Not through Foundation's `Process`: `pg_ctl start` leaves a server running that inherits
    /// the descriptor Foundation watches for the child's exit, and `waitUntilExit` then waits for
    /// ever. `posix_spawn` and `waitpid` wait for the program alone.
    private func run(_ program: String, _ arguments: [String]) throws {
        let executable = binaries.appendingPathComponent(program).path
        let command = ([executable] + arguments).map(Self.quoted).joined(separator: " ")
        let log = Self.quoted(directory.appendingPathComponent("commands.log").path)
        // The server `pg_ctl start` leaves running must not inherit the test process's descriptors
        // (sockets of test servers, pipes other tests wait on for their children): bash (dash
        // cannot name descriptors above 9)
        // closes every one above 2 first.
        let closeInherited =
            #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; "#
        var argv = ["/bin/bash", "-c", closeInherited + "exec \(command) </dev/null >>\(log) 2>&1"]
        if let asUser { argv = ["/usr/sbin/runuser", "-u", asUser, "--"] + argv }
        let status = try Self.spawnAndWait(argv)
        guard status == 0 else {
            let output =
                (try? String(contentsOf: directory.appendingPathComponent("commands.log"), encoding: .utf8)) ?? ""
            throw TemporaryPostgresError(message: "\(program) failed (\(status)): \(output.suffix(2000))")
        }
    }

    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func spawnAndWait(_ argv: [String]) throws -> Int32 {
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let spawned = posix_spawn(&pid, argv[0], nil, nil, cArguments, environ)
        guard spawned == 0 else { throw TemporaryPostgresError(message: "cannot start \(argv[0]): \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw TemporaryPostgresError(message: "waitpid failed: \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs SQL through `psql` (to create databases, say).
    public func psql(_ sql: String, database: String = "postgres") throws {
        try run(
            "psql",
            [
                "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-c",
                sql,
            ])
    }

    /// Ends the sessions of every `LISTEN`ing connection to `database`, as a lost network would.
    public func terminateListeners(database: String) async throws {
        try await offThePool {
            try self.psql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' AND query LIKE 'LISTEN%'"
            )
        }
    }

    /// The database name in a URL `makeDatabase` gave.
    public static func database(of url: String) -> String {
        String(url.split(separator: "/").last ?? "")
    }

    /// A new, empty database; returns its URL.
    public func makeDatabase() async throws -> String {
        let name = "zibri_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await offThePool { try self.psql("CREATE DATABASE \(name)") }
        return url(database: name)
    }

    /// Stops the server at once and deletes its files.
    public func stop() {
        try? run("pg_ctl", ["-D", dataPath, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw TemporaryPostgresError(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs blocking work (waiting for a process, say) on a thread of its own and awaits its result,
/// so that it does not hold one of the cooperative threads every task needs.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
