/// `http:` of the spec.
public struct HTTPSettings: Sendable {
    public var basePath: Located<String>?
    public var routes: [HTTPRoute] = []
}
