public import Configuration
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
    /// Loads, lints and compiles the spec at `path`, with the stores that come with Zibri and
    /// the settings from `configuration` (by default the environment: `ZIBRI_PORT` and the
    /// others in docs/http.md). Throws `SpecError` with every diagnostic when the spec has
    /// errors, and `ZibriError` for an unusable setting or a store that cannot be opened.
    public convenience init(
        spec path: String, configuration: ConfigReader = ConfigReader(provider: EnvironmentVariablesProvider()),
        logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(spec: path, stores: .standard, configuration: configuration, logger: logger)
    }

    /// A spec given as text (in tests, say), with the stores that come with Zibri.
    public convenience init(
        yaml: String, file: String = "spec.zibri.yaml",
        configuration: ConfigReader = ConfigReader(provider: EnvironmentVariablesProvider()),
        logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(yaml: yaml, file: file, stores: .standard, configuration: configuration, logger: logger)
    }

    /// The spec at `path`, with the settings read from `environment` alone.
    public convenience init(
        spec path: String, environment: [String: String], logger: Logger = Logger(label: "zibri")
    )
        throws
    {
        try self.init(spec: path, stores: .standard, environment: environment, logger: logger)
    }

    /// A spec given as text, with the settings read from `environment` alone.
    public convenience init(
        yaml: String, file: String = "spec.zibri.yaml", environment: [String: String],
        logger: Logger = Logger(label: "zibri")
    ) throws {
        try self.init(yaml: yaml, file: file, stores: .standard, environment: environment, logger: logger)
    }
}
