public struct HTTPRoute: Sendable {
    public static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    public var method: String
    public var path: String
    /// The route's key, `GET /users/{id}`.
    public var location: SourceLocation
    public var handler: Located<String>?
    public var summary: String?
    public var description: String?
    public var params: [Property] = []
    public var query: [Property] = []
    public var headers: [Property] = []
    public var body: PropertySchema?
    public var response: PropertySchema?
    public var status: Located<Int>?
    public var auth: Located<AuthRequirement>?
    public var roles: Located<[String]>?
    public var keyLocations: [String: SourceLocation] = [:]

    /// The path parameters named in the path, in order: `/a/{x}/b/{y}` gives x, y.
    public var pathParameterNames: [String] {
        HTTPRoute.segments(of: path).compactMap(\.parameterName)
    }

    /// The path parameters as the server has them: those `params` declares, then any other the
    /// path names, as a string.
    public var effectiveParams: [Property] {
        var properties = params
        for name in pathParameterNames where !properties.contains(where: { $0.name == name }) {
            properties.append(
                Property(name: name, location: location, schema: PropertySchema(type: .string, location: location)))
        }
        return properties
    }

    public enum Segment: Hashable, Sendable {
        case literal(String)
        case parameter(String)

        public var parameterName: String? {
            if case .parameter(let name) = self { return name }
            return nil
        }
    }

    /// Splits a path into segments; `{name}` segments are parameters.
    public static func segments(of path: String) -> [Segment] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix("{"), part.hasSuffix("}"), part.count >= 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }
}
