public import Foundation
public import Logging
import ZibriPostgres
// What a server's code needs, through one import, as Hummingbird re-exports HummingbirdCore.
@_exported public import ZibriRuntime
import ZibriSQLite
public import ZibriStorage

extension StoreRegistry {
    /// The stores that come with Zibri: memory, SQLite (`sqlite:PATH`, the default) and
    /// PostgreSQL (`postgres://`).
    public static var standard: StoreRegistry { StoreRegistry([SQLiteStoreFactory(), PostgresStoreFactory()]) }
}

extension ZibriApplication {
    /// Loads, lints and compiles the spec at `path`, with the stores that come with Zibri.
    /// Throws `SpecError` with every diagnostic when the spec has errors, and `ZibriError` for
    /// an unusable environment variable or a store that cannot be opened.
    public convenience init(
        spec path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(spec: path, stores: .standard, environment: environment, logger: logger)
    }

    /// A spec given as text (in tests, say), with the stores that come with Zibri.
    public convenience init(
        yaml: String, file: String = "spec.zibri.yaml",
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(yaml: yaml, file: file, stores: .standard, environment: environment, logger: logger)
    }
}
