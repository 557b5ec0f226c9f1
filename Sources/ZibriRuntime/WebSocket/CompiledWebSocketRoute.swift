import ZibriSchema
import ZibriValidation

/// A spec WebSocket route, compiled at start-up.
struct CompiledWebSocketRoute: Sendable {
    let event: String
    let handlerName: String
    let handler: WebSocketHandlers.Erased
    let body: Validator?
    /// Checks the handler's answer when `validateResponses` is on.
    let response: Validator?
    let auth: AuthRequirement
    let roles: [String]
    let metrics: ZibriMetrics.RouteMetrics
}
