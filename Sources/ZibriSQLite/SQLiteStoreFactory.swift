public import Logging
public import ZibriSchema
public import ZibriStorage

/// Opens `sqlite:PATH` locations: the embedded default store.
public struct SQLiteStoreFactory: StoreFactory {
    public init() {}

    public var schemes: [String] { ["sqlite"] }

    public func open(_ location: StorageSetting, logger: Logger) throws -> OpenedStore {
        do {
            return .plain(try SQLiteStore(path: location.path))
        } catch {
            throw StoreError(
                code: "storage-unavailable", message: "cannot open the SQLite store '\(location.path)': \(error)")
        }
    }
}
