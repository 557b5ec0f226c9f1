/// A store with background work (a connection pool, a listener): the runtime runs `run()` as a
/// service for as long as it serves, and `prepare()` (schema migrations) once `run()` has
/// started, before the server accepts connections.
public protocol RunnableStore: ZibriStore {
    func run() async throws
    func prepare() async throws
}
