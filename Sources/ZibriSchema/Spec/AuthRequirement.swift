/// `none` (anyone), `optional` (a user if a valid token is given), `required`.
public enum AuthRequirement: String, Sendable, Hashable, CaseIterable {
    case none
    case optional
    case required
}
