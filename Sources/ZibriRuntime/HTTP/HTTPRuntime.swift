/// What all routes share at request time.
struct HTTPRuntime: Sendable {
    let authorizer: Authorizer
    let maxBodyBytes: Int
    let validateResponses: Bool
    let websocket: WebSocketService
}
