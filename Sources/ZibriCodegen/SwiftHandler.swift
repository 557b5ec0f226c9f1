/// A typed registration helper.
struct SwiftHandler: Sendable {
    enum Kind: String, Sendable {
        case http, websocket, connectPolicy, joinPolicy, onConnect, onDisconnect
    }

    var specName: String
    var methodName: String
    var kind: Kind
    var body: String?
    var response: String?
    var doc: [String]
    /// The route's input type, for HTTP routes with parameters.
    var input: String? = nil
}
