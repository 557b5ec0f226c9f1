import Logging
import ZibriSchema

/// The memory store, which every registry has.
struct InMemoryStoreFactory: StoreFactory {
    var schemes: [String] { ["memory"] }

    func open(_ location: StorageSetting, logger: Logger) throws -> OpenedStore {
        .plain(InMemoryStore())
    }
}
