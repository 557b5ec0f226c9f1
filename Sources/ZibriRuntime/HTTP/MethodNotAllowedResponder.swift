import Hummingbird

/// Answers a method the path does not have: 405 with the methods it does have.
struct MethodNotAllowedResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let allowed: [HTTPRequest.Method]

    func respond(to request: Request, context: Context) throws -> Response {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        throw ProblemResponse(.methodNotAllowed("\(request.uri.path) accepts \(list)"), headers: [.allow: list])
    }
}
