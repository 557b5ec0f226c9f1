/// Where parameters come from; each is validated under its own pointer (`/query/limit`).
public enum ParameterLocation: String, Sendable {
    case params, query, headers
}
