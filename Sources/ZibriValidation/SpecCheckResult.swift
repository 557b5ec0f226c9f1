public import ZibriSchema

/// The result of the whole pipeline short of serving.
public struct SpecCheckResult: Sendable {
    public var spec: Spec?
    public var compiled: CompiledSpec?
    public var source: SpecSource?
    public var diagnostics: [Diagnostic]
}
