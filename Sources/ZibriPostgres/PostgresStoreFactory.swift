public import Logging
public import ZibriSchema
public import ZibriStorage

/// Opens `postgres://` and `postgresql://` locations: the store several nodes share.
public struct PostgresStoreFactory: StoreFactory {
    public init() {}

    public var schemes: [String] { ["postgres", "postgresql"] }

    public func open(_ location: StorageSetting, logger: Logger) throws -> OpenedStore {
        do {
            return .shared(try PostgresStore(url: location.location, logger: logger))
        } catch {
            throw StoreError(code: "storage-unavailable", message: "cannot use the PostgreSQL store: \(error)")
        }
    }
}
