/// What one stage of the spec pipeline hands the next: its result (nil when an earlier stage
/// could not make one: the next stages are then skipped), with every diagnostic so far and the
/// source they point into.
public struct SpecStage<Value: Sendable>: Sendable {
    public var source: SpecSource?
    public var value: Value?
    public var diagnostics: [Diagnostic]

    package init(source: SpecSource?, value: Value?, diagnostics: [Diagnostic]) {
        self.source = source
        self.value = value
        self.diagnostics = diagnostics
    }

    /// The next stage: `transition` makes its result from this one's, with the diagnostics it
    /// found; skipped when there is no result.
    package func then<Next>(_ transition: (Value) -> (Next?, [Diagnostic])) -> SpecStage<Next> {
        guard let value else { return SpecStage<Next>(source: source, value: nil, diagnostics: diagnostics) }
        let (next, found) = transition(value)
        return SpecStage<Next>(source: source, value: next, diagnostics: diagnostics + found)
    }
}

extension SpecStage where Value == ResolvedSpec {
    /// The decoded spec, when it could be read as one.
    public var spec: Spec? { value?.spec }
}
