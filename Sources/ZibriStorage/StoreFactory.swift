public import Logging
public import ZibriSchema

/// Opens the stores of one or more URL schemes. Each driver module has one (`SQLiteStoreFactory`,
/// `PostgresStoreFactory`); an application is given the factories it may use in a
/// `StoreRegistry`, so the runtime never names a driver and a store written elsewhere plugs in
/// the same way.
public protocol StoreFactory: Sendable {
    /// The schemes this factory opens, as written before the colon: `sqlite`; `postgres`, `postgresql`.
    var schemes: [String] { get }
    /// Opens the store `location` names, saying what it can do. Throws `StoreError` when it
    /// cannot (a malformed location, a file that cannot be opened).
    func open(_ location: StorageSetting, logger: Logger) throws -> OpenedStore
}
