import JWTKit
import ZibriSchema

/// Any claims, kept as JSON; the checks on them happen in `JWTAuthenticator`.
struct ClaimsPayload: JWTPayload {
    let claims: [String: JSONValue]

    init(from decoder: any Decoder) throws {
        claims = try [String: JSONValue](from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try claims.encode(to: encoder)
    }

    func verify(using algorithm: some JWTAlgorithm) throws {}
}
