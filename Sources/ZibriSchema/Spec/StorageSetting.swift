import Foundation

/// Where the WebSocket side keeps its state: `memory`, or a location whose scheme names a store
/// (`sqlite:PATH`, `postgres://USER@HOST:PORT/DB`, or the scheme of a store plugged in by the
/// application). Which scheme opens which store is the runtime's `StoreRegistry`; the spec only
/// checks the form, and the built-in schemes' own forms.
public struct StorageSetting: Sendable, Hashable, CustomStringConvertible {
    /// The part before the colon (`memory` for `memory`), lowercased.
    public let scheme: String
    /// The whole location as written.
    public let location: String

    /// The schemes of the stores that come with Zibri.
    public static let builtInSchemes: Set<String> = ["memory", "sqlite", "postgres", "postgresql"]

    /// `memory`.
    public static let memory = StorageSetting(scheme: "memory", location: "memory")

    /// `sqlite:PATH`.
    public static func sqlite(path: String) -> StorageSetting {
        StorageSetting(scheme: "sqlite", location: "sqlite:\(path)")
    }

    private init(scheme: String, location: String) {
        self.scheme = scheme
        self.location = location
    }

    /// What follows `scheme:`: the path of `sqlite:PATH`.
    public var path: String { String(location.dropFirst(scheme.utf8.count + 1)) }

    public var description: String { location }

    /// Parses `memory`, `sqlite:PATH`, `postgres://...` (also `postgresql://`) or any other
    /// `scheme:rest` (RFC 3986's scheme characters, something after the colon).
    public init?(parsing text: String) {
        if text == "memory" {
            self = .memory
            return
        }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
            text.index(after: colon) != text.endIndex
        else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
            scheme.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || "0123456789+-.".unicodeScalars.contains($0))
            })
        else { return nil }
        let lowered = scheme.lowercased()
        if lowered == "postgres" || lowered == "postgresql" {
            guard text.dropFirst(scheme.count).hasPrefix("://"), URLComponents(string: text)?.host?.isEmpty == false
            else { return nil }
        }
        self.init(scheme: lowered, location: text)
    }
}
