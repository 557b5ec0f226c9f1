import Configuration
import Foundation
import Logging
import ZibriSchema
import ZibriStorage

/// What the spec's `server` and `storage` say, overridden by the configuration (by default the
/// environment: `zibri.port` is `ZIBRI_PORT`): read once at start-up, with a clear error for
/// every value that cannot be used. Values are read as text and checked here, because
/// swift-configuration's typed reads turn an unusable value into "not set", and a server
/// that quietly ignores `ZIBRI_PORT=80a` listens where nobody expects it.
struct StartupSettings {
    var logLevel: Logger.Level?
    var host: String
    var port: Int
    var storage: StorageSetting
    /// `zibri.nodeId` (`ZIBRI_NODE_ID`), if set.
    var nodeID: String?
    var validateResponses: Bool

    /// The keys, with the environment variable each is read from by default.
    enum Key: String, CaseIterable {
        case logLevel = "zibri.logLevel"
        case host = "zibri.host"
        case port = "zibri.port"
        case storageURL = "zibri.storageUrl"
        case nodeID = "zibri.nodeId"

        var environmentName: String {
            switch self {
            case .logLevel: "ZIBRI_LOG_LEVEL"
            case .host: "ZIBRI_HOST"
            case .port: "ZIBRI_PORT"
            case .storageURL: "ZIBRI_STORAGE_URL"
            case .nodeID: "ZIBRI_NODE_ID"
            }
        }
    }

    init(spec: Spec, configuration: ConfigReader) throws(ZibriError) {
        func text(_ key: Key) -> String? { configuration.string(forKey: ConfigKey(key.rawValue)) }
        if let text = text(.logLevel) {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw Self.invalid(.logLevel, "trace, debug, info, notice, warning, error or critical", text)
            }
            logLevel = level
        }
        host = text(.host) ?? spec.server.host
        port = spec.server.port
        if let text = text(.port) {
            guard let value = Int(text), (0...65_535).contains(value) else {
                throw Self.invalid(.port, "a port number 0-65535", text)
            }
            port = value
        }
        storage = spec.effectiveStorage
        if let text = text(.storageURL) {
            guard let value = StorageSetting(parsing: text) else {
                throw Self.invalid(.storageURL, "memory, sqlite:PATH, postgres://... or SCHEME:...", text)
            }
            storage = value
        }
        if let text = text(.nodeID) {
            guard !text.isEmpty, text.utf8.count <= 200 else {
                throw Self.invalid(.nodeID, "1 to 200 bytes", text)
            }
            nodeID = text
        }
        #if DEBUG
        validateResponses = spec.server.validateResponses ?? true
        #else
        validateResponses = spec.server.validateResponses ?? false
        #endif
    }

    /// `ZIBRI_PORT (zibri.port) must be a port number 0-65535, is '80a'`
    private static func invalid(_ key: Key, _ expected: String, _ found: String) -> ZibriError {
        ZibriError(
            code: "invalid-environment",
            message: "\(key.environmentName) (\(key.rawValue)) must be \(expected), is '\(found)'")
    }
}
