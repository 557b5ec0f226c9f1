/// The frozen route table: every spec route with its handler, validators and policy.
struct RouteTable: Sendable {
    let http: [CompiledRoute]
    /// Nil when the spec has no `websocket` section.
    let websocket: WebSocketRuntime?
}
