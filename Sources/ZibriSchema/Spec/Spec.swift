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
/// Produced by `SpecLoader`; missing optional keys carry their documented defaults.
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

public enum StorageSetting: Sendable, Hashable {
    case memory
    case sqlite(path: String)
    case postgres(url: String)

    /// Parses `memory`, `sqlite:PATH` or `postgres://...` (also `postgresql://`).
    public init?(parsing text: String) {
        if text == "memory" {
            self = .memory
        } else if text.hasPrefix("sqlite:"), text.count > "sqlite:".count {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
            URLComponents(string: text)?.host?.isEmpty == false
        {
            self = .postgres(url: text)
        } else {
            return nil
        }
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
