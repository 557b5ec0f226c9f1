/// A decoded spec with its models resolved (`from`, `pick`, `omit`, `partial` applied): what
/// the linter, the compiler, the exporters and the Swift generator read. Resolved once, by
/// the pipeline's third stage.
public struct ResolvedSpec: Sendable {
    public let spec: Spec
    /// Every model that resolves, by name; one that does not was reported.
    public let models: [String: ResolvedModel]

    package init(spec: Spec, models: [String: ResolvedModel]) {
        self.spec = spec
        self.models = models
    }
}
