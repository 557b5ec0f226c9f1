import Foundation
import Logging
import ZibriSchema
import ZibriValidation

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
