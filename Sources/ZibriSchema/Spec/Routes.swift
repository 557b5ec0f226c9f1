import Foundation

/// `http:` of the spec.
public struct HTTPSettings: Sendable {
    public var basePath: Located<String>?
    public var routes: [HTTPRoute] = []
}

public struct HTTPRoute: Sendable {
    public static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    public var method: String
    public var path: String
    /// The route's key, `GET /users/{id}`.
    public var location: SourceLocation
    public var handler: Located<String>?
    public var summary: String?
    public var description: String?
    public var params: [Property] = []
    public var query: [Property] = []
    public var headers: [Property] = []
    public var body: PropertySchema?
    public var response: PropertySchema?
    public var status: Located<Int>?
    public var auth: Located<AuthRequirement>?
    public var roles: Located<[String]>?
    public var keyLocations: [String: SourceLocation] = [:]

    /// The path parameters named in the path, in order: `/a/{x}/b/{y}` gives x, y.
    public var pathParameterNames: [String] {
        HTTPRoute.segments(of: path).compactMap(\.parameterName)
    }

    /// The path parameters as the server has them: those `params` declares, then any other the
    /// path names, as a string.
    public var effectiveParams: [Property] {
        var properties = params
        for name in pathParameterNames where !properties.contains(where: { $0.name == name }) {
            properties.append(
                Property(name: name, location: location, schema: PropertySchema(type: .string, location: location)))
        }
        return properties
    }

    public enum Segment: Hashable, Sendable {
        case literal(String)
        case parameter(String)

        public var parameterName: String? {
            if case .parameter(let name) = self { return name }
            return nil
        }
    }

    /// Splits a path into segments; `{name}` segments are parameters.
    public static func segments(of path: String) -> [Segment] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix("{"), part.hasSuffix("}"), part.count >= 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }
}

/// `websocket:` of the spec. Defaults are the documented ones.
public struct WebSocketSettings: Sendable {
    public var path: Located<String>
    public var timeoutInMs: Int = 5000
    public var isAllowedToConnect: Located<String>?
    public var auth: Located<AuthRequirement>?
    /// Browser origins allowed besides the request's own (normalized; `*` for any).
    public var allowedOrigins: [String] = []
    public var heartbeatInterval = SpecDuration(milliseconds: 20_000)
    public var heartbeatTimeout = SpecDuration(milliseconds: 10_000)
    public var recoveryEnabled = true
    public var recoveryWindow = SpecDuration(milliseconds: 120_000)
    public var maxReplay = 1000
    public var maxMessageBytes = 65_536
    public var messagesPerSecond = 50
    public var maxConnections = 10_000
    public var outboundQueueSize = 1024
    /// A connection's messages waiting for its handler (which runs one at a time).
    public var maxPendingMessages = 256
    public var channels: [ChannelDefinition] = []
    public var onConnect: Located<String>?
    public var onDisconnect: Located<String>?
    public var routes: [WebSocketRoute] = []
    public var keyLocations: [String: SourceLocation] = [:]
}

public struct ChannelDefinition: Sendable {
    public var pattern: String
    public var location: SourceLocation
    public var clientJoin = false
    public var join: Located<String>?
    public var description: String?

    public enum Part: Hashable, Sendable {
        case literal(String)
        case parameter(String)
    }

    /// `room:{roomId}` gives `room:` and the parameter `roomId`; nil if the pattern does not parse.
    public static func parts(of pattern: String) -> [Part]? {
        var parts: [Part] = []
        var literal = ""
        var index = pattern.startIndex
        while index < pattern.endIndex {
            let character = pattern[index]
            if character == "{" {
                guard let close = pattern[index...].firstIndex(of: "}") else { return nil }
                let name = String(pattern[pattern.index(after: index)..<close])
                guard Identifiers.isIdentifier(name) else { return nil }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                if case .parameter = parts.last { return nil }  // `{a}{b}` cannot be split
                literal = ""
                parts.append(.parameter(name))
                index = pattern.index(after: close)
            } else if character == "}" {
                return nil
            } else {
                literal.append(character)
                index = pattern.index(after: index)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts.isEmpty ? nil : parts
    }
}

public struct WebSocketRoute: Sendable {
    public var event: String
    public var location: SourceLocation
    public var handler: Located<String>?
    public var description: String?
    public var body: PropertySchema?
    public var response: PropertySchema?
    public var auth: Located<AuthRequirement>?
    public var roles: Located<[String]>?
    public var keyLocations: [String: SourceLocation] = [:]
}

package enum Identifiers {
    /// A Swift-friendly identifier: a letter or `_`, then letters, digits or `_`.
    package static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
        }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ($0 >= "0" && $0 <= "9") }
    }
}

/// Browser origins (`scheme://host[:port]`) as the `Origin` header carries them.
public enum Origins {
    /// `https://App.example.com:443/` → `https://app.example.com`; `*` stays; nil when the text
    /// is not an http(s) origin.
    public static func normalize(_ text: String) -> String? {
        if text == "*" { return text }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host?.lowercased(), !host.isEmpty,
            url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil, url.user == nil
        else { return nil }
        return "\(scheme)://\(authority(host: host, port: url.port, scheme: scheme))"
    }

    /// `host` or `host:port`, without the scheme's default port.
    public static func authority(host: String, port: Int?, scheme: String) -> String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// Whether a browser's `Origin` may open a socket: one of `allowed`, any with `*`, or the
    /// same origin as the request (its host and port are the `Host` header's). A `ws:` or
    /// `wss:` origin is a program's (NIO's client upgrader sends one), never a page's: allowed.
    public static func allows(origin: String, host: String?, allowed: [String]) -> Bool {
        if allowed.contains("*") { return true }
        let lowered = origin.lowercased()
        if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") { return true }
        guard let normalized = normalize(origin) else { return false }
        if allowed.contains(normalized) { return true }
        guard let host, let components = URLComponents(string: normalized), let scheme = components.scheme,
            let requestHost = URLComponents(string: "\(scheme)://\(host.lowercased())"),
            let requestHostName = requestHost.host
        else { return false }
        return authority(host: requestHostName, port: requestHost.port, scheme: scheme)
            == authority(host: components.host ?? "", port: components.port, scheme: scheme)
    }
}
