import Foundation
import Logging
import ZibriSchema
import ZibriStorage

/// What the spec's `server` and `storage` say, overridden by the environment: read once at
/// start-up, with a clear error for every variable that cannot be used.
struct ServerSettings {
    var logLevel: Logger.Level?
    var host: String
    var port: Int
    var storage: StorageSetting
    /// `ZIBRI_NODE_ID`, if set.
    var nodeID: String?
    var validateResponses: Bool

    init(spec: Spec, environment: [String: String]) throws(ZibriError) {
        if let text = environment["ZIBRI_LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw Self.invalid(
                    "ZIBRI_LOG_LEVEL must be trace, debug, info, notice, warning, error or critical, is '\(text)'")
            }
            logLevel = level
        }
        host = environment["ZIBRI_HOST"] ?? spec.server.host
        port = spec.server.port
        if let text = environment["ZIBRI_PORT"] {
            guard let value = Int(text), (0...65_535).contains(value) else {
                throw Self.invalid("ZIBRI_PORT must be a port number 0-65535, is '\(text)'")
            }
            port = value
        }
        storage = spec.effectiveStorage
        if let text = environment["ZIBRI_STORAGE_URL"] {
            guard let value = StorageSetting(parsing: text) else {
                throw Self.invalid(
                    "ZIBRI_STORAGE_URL must be memory, sqlite:PATH, postgres://... or SCHEME:..., is '\(text)'")
            }
            storage = value
        }
        if let text = environment["ZIBRI_NODE_ID"] {
            guard !text.isEmpty, text.utf8.count <= 200 else {
                throw Self.invalid("ZIBRI_NODE_ID must be 1 to 200 bytes, is '\(text)'")
            }
            nodeID = text
        }
        #if DEBUG
        validateResponses = spec.server.validateResponses ?? true
        #else
        validateResponses = spec.server.validateResponses ?? false
        #endif
    }

    private static func invalid(_ message: String) -> ZibriError {
        ZibriError(code: "invalid-environment", message: message)
    }
}
