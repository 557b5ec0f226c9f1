/// A store and what it can do, said once by the factory that opened it, so that nobody
/// downstream has to find out by casting.
public struct OpenedStore: Sendable {
    /// What every store is.
    public let store: any ZibriStore
    /// The store's background work, when it has some: run as a service while the server runs.
    public let runnable: (any RunnableStore)?
    /// The store, when several nodes share it.
    package let shared: (any SharedStore)?

    private init(store: any ZibriStore, runnable: (any RunnableStore)?, shared: (any SharedStore)?) {
        self.store = store
        self.runnable = runnable
        self.shared = shared
    }

    /// A store without background work, which one node uses (the memory store, SQLite).
    public static func plain(_ store: some ZibriStore) -> OpenedStore {
        OpenedStore(store: store, runnable: nil, shared: nil)
    }

    /// A store with background work (a connection pool), which one node uses.
    public static func running(_ store: some RunnableStore) -> OpenedStore {
        OpenedStore(store: store, runnable: store, shared: nil)
    }

    /// A store that several nodes share (PostgreSQL).
    package static func shared(_ store: some SharedStore) -> OpenedStore {
        OpenedStore(store: store, runnable: store, shared: store)
    }
}
