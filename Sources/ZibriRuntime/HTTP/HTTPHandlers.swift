import Foundation
public import Logging
public import ZibriSchema
import ZibriValidation

/// What a handler receives: the validated, normalized request.
public struct HTTPInput<Body: Sendable>: Sendable {
    /// The body, validated against the route's `body` and decoded (`NoBody` for routes without one).
    public let body: Body
    /// Path parameters, coerced to their declared types (an object).
    public let params: JSONValue
    /// Declared query parameters, coerced, with defaults filled in (an object).
    public let query: JSONValue
    /// Declared headers, coerced (an object keyed by the spec's names).
    public let headers: JSONValue
    /// The authenticated user, or nil.
    public let user: User?
}

extension HTTPInput {
    /// The path parameters as `T` (a struct with a property per parameter): what the typed
    /// handlers generated from the spec use. The values are validated already; a `T` that does
    /// not fit the spec is the developer's mistake, a 500 with the reason in the log.
    public func params<T: Decodable>(as type: T.Type) throws -> T {
        try Self.decode(type, from: params, part: "path parameters")
    }

    /// The query parameters as `T`, defaults filled in (see `params(as:)`).
    public func query<T: Decodable>(as type: T.Type) throws -> T {
        try Self.decode(type, from: query, part: "query parameters")
    }

    private static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, part: String) throws -> T {
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch {
            throw HandlerTypeMismatch(underlying: "\(error)", part: part)
        }
    }
}

/// An authenticated user, from a verified JWT.
public struct User: Sendable, Hashable {
    public let id: String
    public let roles: [String]
    /// Every claim of the token.
    public let claims: [String: JSONValue]

    public init(id: String, roles: [String], claims: [String: JSONValue] = [:]) {
        self.id = id
        self.roles = roles
        self.claims = claims
    }
}

/// What a handler can use besides its input.
public struct HTTPContext: Sendable {
    /// A logger whose lines carry the request's id.
    public let logger: Logger
    /// Sends to WebSocket connections, users and channels, so an HTTP POST can broadcast.
    public let websocket: WebSocketService

    /// The request's id, also in every log line about it.
    public var requestID: String { logger[metadataKey: "hb.request.id"]?.description ?? "" }
}

/// The body of a route that has none.
public struct NoBody: Decodable, Sendable, Equatable {
    public init() {}
}

/// The result of a handler whose route has no `response`: the answer is 204.
public struct NoContent: Encodable, Sendable, Equatable {
    public init() {}
}

/// An error a handler throws to answer with a status of its choosing, as a problem document.
public struct ZibriHTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var title: String
    public var detail: String?
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String

    public init(status: Int, title: String, detail: String? = nil, type: String = "about:blank") {
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
    }
}

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

/// The validated parts of a request, before they are given their Swift types.
struct RequestValues: Sendable {
    let body: JSONValue?
    let params: JSONValue
    let query: JSONValue
    let headers: JSONValue
    let user: User?

    func decodeBody<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONValueDecoder().decode(type, from: body ?? .null)
        } catch {
            // The Swift type does not fit the spec: the developer's mistake, not the client's.
            throw HandlerTypeMismatch(underlying: "\(error)", part: "body")
        }
    }
}

struct HandlerTypeMismatch: Error, CustomStringConvertible {
    let underlying: String
    let part: String
    var description: String { "the handler's \(part) type does not fit the route's \(part) schema: \(underlying)" }
}

enum HandlerOutput: Sendable {
    case value(JSONValue)
    case encoded([UInt8])
    case noContent
}
