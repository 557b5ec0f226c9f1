public import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

/// One HTTP exchange with a live server, for tests that talk to a child process.
public struct LiveHTTPResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

public enum LiveHTTP {
    public static func request(
        _ method: String, _ url: String, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> LiveHTTPResponse {
        try await request(method, url, bytes: body.map { Array($0.utf8) }, headers: headers)
    }

    /// A request whose body is any bytes (valid UTF-8 or not).
    public static func request(
        _ method: String, _ url: String, bytes body: [UInt8]?, headers: [String: String] = [:]
    ) async throws -> LiveHTTPResponse {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = Data(body)
            if headers.keys.contains(where: { $0.lowercased() == "content-type" }) == false {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name] = value }
        }
        return LiveHTTPResponse(status: http.statusCode, headers: fields, body: data)
    }
}
