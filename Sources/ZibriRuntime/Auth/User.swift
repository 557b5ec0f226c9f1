import Foundation
import Logging
public import ZibriSchema
import ZibriValidation

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
