import ZibriSchema

/// The handlers registered by name. Registration happens before `run()`; the runtime then
/// freezes them into its route table.
public final class HTTPHandlers {
    typealias Erased = @Sendable (RequestValues, HTTPContext) async throws -> HandlerOutput

    struct Registration {
        let handler: Erased
        let file: String
        let line: Int
    }

    private(set) var registrations: [String: Registration] = [:]

    init() {}

    /// Registers the closure for the spec's handler `name`. `Body` is decoded from the validated
    /// body (`JSONValue` for the dynamic value, `NoBody` when the route has none); the returned
    /// value is encoded as JSON (`NoContent` for routes without a `response`).
    public func handle<Body: Decodable & Sendable, Output: Encodable & Sendable>(
        _ name: String,
        file: String = #fileID, line: Int = #line,
        _ handler: @escaping @Sendable (HTTPInput<Body>, HTTPContext) async throws -> Output
    ) {
        registrations[name] = Registration(
            handler: { values, context in
                let body: Body
                if Body.self == NoBody.self {
                    body = NoBody() as! Body
                } else if Body.self == JSONValue.self {
                    body = (values.body ?? .null) as! Body
                } else {
                    body = try values.decodeBody(Body.self)
                }
                let input = HTTPInput(
                    body: body, params: values.params, query: values.query, headers: values.headers, user: values.user)
                let output = try await handler(input, context)
                if let value = output as? JSONValue { return .value(value) }
                if output is NoContent { return .noContent }
                // Encoded here, where `Output` is known, straight into the answer's bytes.
                return .encoded(try StreamingJSONEncoder().encode(output))
            }, file: file, line: line)
    }
}
