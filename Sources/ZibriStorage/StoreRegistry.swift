public import Logging
public import ZibriSchema

/// The stores an application may open, by URL scheme. `memory` is always there; the drivers'
/// factories are added by whoever assembles the server (the `Zibri` module adds SQLite and
/// PostgreSQL), and a store written outside this package is added the same way.
public struct StoreRegistry: Sendable {
    private var factories: [String: any StoreFactory] = [:]

    /// The memory store and `factories`; a later factory replaces an earlier one's schemes.
    public init(_ factories: [any StoreFactory] = []) {
        register(InMemoryStoreFactory())
        for factory in factories { register(factory) }
    }

    /// This registry with `factory` added.
    public func adding(_ factory: some StoreFactory) -> StoreRegistry {
        var copy = self
        copy.register(factory)
        return copy
    }

    private mutating func register(_ factory: any StoreFactory) {
        for scheme in factory.schemes { factories[scheme.lowercased()] = factory }
    }

    /// The schemes that can be opened, sorted.
    public var schemes: [String] { factories.keys.sorted() }

    /// Opens the store `location` names. Throws `StoreError` `unknown-storage` for a scheme no
    /// factory opens, and the factory's error when it cannot open the store.
    public func open(_ location: StorageSetting, logger: Logger) throws -> OpenedStore {
        guard let factory = factories[location.scheme.lowercased()] else {
            throw StoreError(
                code: "unknown-storage",
                message: "no store opens '\(location.scheme):' locations; this server knows "
                    + schemes.map { "\($0):" }.joined(separator: ", "))
        }
        return try factory.open(location, logger: logger)
    }
}
