import Foundation

/// A value with the place in the spec that wrote it.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// A loaded spec: the format v1 as typed values, each with its source location.
///
/// Produced by the pipeline's decode stage (`SpecPipeline`); missing optional keys carry their documented defaults.
public struct Spec: Sendable {
    public static let supportedVersions = ["1"]

    public var file: String
    public var version: Located<String>
    public var info: Info
    public var server: ServerSettings
    public var storage: Located<StorageSetting>?
    public var auth: AuthSettings?
    /// Models in source order.
    public let models: [Model]
    public var http: HTTPSettings
    public var websocket: WebSocketSettings?
    /// Where each top-level key was written.
    public var keyLocations: [String: SourceLocation]

    /// Index into `models` by name (the first model of a name wins; duplicates are reported).
    private let modelIndex: [String: Int]

    init(
        file: String, version: Located<String>, info: Info, server: ServerSettings, storage: Located<StorageSetting>?,
        auth: AuthSettings?, models: [Model], http: HTTPSettings, websocket: WebSocketSettings?,
        keyLocations: [String: SourceLocation]
    ) {
        self.file = file
        self.version = version
        self.info = info
        self.server = server
        self.storage = storage
        self.auth = auth
        self.models = models
        self.http = http
        self.websocket = websocket
        self.keyLocations = keyLocations
        var index: [String: Int] = [:]
        for (position, model) in models.enumerated() where index[model.name] == nil {
            index[model.name] = position
        }
        self.modelIndex = index
    }

    public func model(named name: String) -> Model? {
        modelIndex[name].map { models[$0] }
    }

    /// The storage to use when the spec names none.
    public var effectiveStorage: StorageSetting { storage?.value ?? .sqlite(path: "zibri.sqlite") }
}

public struct Info: Sendable {
    public var title: String
    public var version: String
    public var description: String?
}

public struct ServerSettings: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var maxBodyBytes: Int = 1024 * 1024
    /// Nil means the runtime's default (on in debug builds).
    public var validateResponses: Bool?
    public var openAPIPath: String? = "/openapi.json"
    /// The largest request head's header fields, in bytes (each field, and all together).
    public var maxHeaderBytes = 80 * 1024
    /// The most header fields a request may have.
    public var maxHeaders = 1000
    /// Prometheus metrics; nil when turned off.
    public var metricsPath: String? = "/metrics"
    /// Liveness: 200 while the process serves.
    public var healthPath: String? = "/health"
    /// Readiness: 200 when the store answers and the server is not stopping.
    public var readyPath: String? = "/ready"
}

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

public struct AuthSettings: Sendable {
    public var jwt: JWTSettings?
    public var location: SourceLocation
}

public struct JWTSettings: Sendable {
    /// The environment variable holding the HS256 secret.
    public var secretEnv: String
    public var userIdClaim: String = "sub"
    public var rolesClaim: String = "roles"
    public var issuer: String?
    public var audience: String?
}

/// `none` (anyone), `optional` (a user if a valid token is given), `required`.
public enum AuthRequirement: String, Sendable, Hashable, CaseIterable {
    case none
    case optional
    case required
}

/// A duration written as `500ms`, `20s`, `2m` or `1h`.
public struct SpecDuration: Sendable, Hashable, CustomStringConvertible {
    public var milliseconds: Int

    public init(milliseconds: Int) {
        self.milliseconds = milliseconds
    }

    public init?(parsing text: String) {
        let units: [(suffix: String, factor: Int)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let digits = text.dropLast(unit.suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let amount = Int(digits) else { continue }
            let (product, overflow) = amount.multipliedReportingOverflow(by: unit.factor)
            guard !overflow else { return nil }
            self.milliseconds = product
            return
        }
        return nil
    }

    public var description: String {
        if milliseconds % 3_600_000 == 0, milliseconds > 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0, milliseconds > 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0, milliseconds > 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}

extension Character {
    package var isASCIIDigit: Bool { isASCII && isNumber }
}
