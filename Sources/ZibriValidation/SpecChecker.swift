import ZibriSchema

/// The whole pipeline short of serving: `SpecPipeline`'s load, decode, resolve and lint, then
/// compile. What `zibri lint` runs and what the runtime runs before it serves.
public enum SpecChecker {
    public static func check(contentsOf path: String, displayName: String? = nil) throws -> SpecCheckResult {
        compile(try SpecPipeline.lint(contentsOf: path, displayName: displayName))
    }

    public static func check(yaml: String, file: String = "spec.zibri.yaml") -> SpecCheckResult {
        compile(SpecPipeline.lint(yaml: yaml, file: file))
    }

    public static func check(bytes: [UInt8], file: String) -> SpecCheckResult {
        compile(SpecPipeline.lint(bytes: bytes, file: file))
    }

    private static func compile(_ linted: SpecStage<ResolvedSpec>) -> SpecCheckResult {
        var result = SpecCheckResult(
            spec: linted.spec, compiled: nil, source: linted.source, diagnostics: linted.diagnostics)
        if let resolved = linted.value {
            let (compiled, diagnostics) = SpecCompiler.compile(resolved)
            result.compiled = compiled
            result.diagnostics = (result.diagnostics + diagnostics).sortedByLocation()
        }
        return result
    }
}
