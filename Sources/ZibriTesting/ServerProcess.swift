public import Foundation

/// A server program started as a child process, for tests of the real thing: the port comes
/// from the first line of its standard output that `port(in:)` understands.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    /// Standard output up to and including the line with the port.
    public let greeting: String

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `executable`; `environment` is all it gets besides PATH. Blocks until the port is
    /// printed or the program exits (call it off the cooperative pool).
    public init(
        _ executable: URL, arguments: [String] = [], environment: [String: String],
        currentDirectory: URL? = nil, port: (Substring) -> Int?
    ) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
            .merging(environment) { _, new in new }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        var found: Int?
        while found == nil {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            found = text.split(separator: "\n").lazy.compactMap(port).first
        }
        guard let found else {
            process.waitUntilExit()
            throw StartError(description: "\(executable.lastPathComponent) did not start: \(text)")
        }
        self.port = found
        self.greeting = text
    }

    /// The port of a line that holds `http://HOST:PORT`.
    public static func portOfURL(_ line: Substring) -> Int? {
        guard let start = line.range(of: "http://") else { return nil }
        let rest = line[start.upperBound...]
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...].prefix { $0.isNumber })
    }

    /// SIGKILL: no goodbye.
    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, as a process manager stops a server; returns its exit status.
    @discardableResult
    public func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
