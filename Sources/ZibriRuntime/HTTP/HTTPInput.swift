import Foundation
import Logging
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
