/// The spec pipeline up to linting, each stage taking the previous stage's output:
/// 1. load (`SpecLoader`): bytes → YAML tree, 2. decode (`SpecDecoder`): → `Spec`,
/// 3. resolve (`ModelResolver`): → `ResolvedSpec`, 4. lint (`SpecLinter`): diagnostics only.
/// Stage 5, compile, is ZibriValidation's `SpecChecker`. Every stage reports what it finds
/// and the next goes on, so one pass collects every problem.
public enum SpecPipeline {
    /// Stages 1 to 4 over a file. Throws only when the file cannot be read.
    public static func lint(
        contentsOf path: String, displayName: String? = nil, limits: YAMLLimits = YAMLLimits()
    ) throws -> SpecStage<ResolvedSpec> {
        lint(try SpecLoader.load(contentsOf: path, displayName: displayName, limits: limits))
    }

    public static func lint(bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) -> SpecStage<ResolvedSpec>
    {
        lint(SpecLoader.load(bytes: bytes, file: file, limits: limits))
    }

    public static func lint(yaml: String, file: String = "spec.zibri.yaml") -> SpecStage<ResolvedSpec> {
        lint(bytes: Array(yaml.utf8), file: file)
    }

    /// Stages 2 to 4 after the load; the diagnostics come out in source order.
    package static func lint(_ loaded: SpecStage<YAMLNode>) -> SpecStage<ResolvedSpec> {
        var linted = loaded.then(decode).then(resolve).then(lint)
        linted.diagnostics = linted.diagnostics.sortedByLocation()
        return linted
    }

    /// Stage 2: the YAML tree as a typed spec.
    package static func decode(_ root: YAMLNode) -> (Spec?, [Diagnostic]) {
        var decoder = SpecDecoder(file: root.location.file)
        let spec = decoder.decode(root)
        return (spec, decoder.diagnostics)
    }

    /// Stage 3: derived models resolved, once for every later stage.
    package static func resolve(_ spec: Spec) -> (ResolvedSpec?, [Diagnostic]) {
        let (models, diagnostics) = ModelResolver.resolve(spec)
        return (ResolvedSpec(spec: spec, models: models), diagnostics)
    }

    /// Stage 4: the semantic rules.
    package static func lint(_ resolved: ResolvedSpec) -> (ResolvedSpec?, [Diagnostic]) {
        (resolved, SpecLinter.lint(resolved))
    }

    /// A property schema written on its own (`zibri validate --type '{ type: array }'`), linted
    /// against `spec`'s models. A bare name is shorthand for `{ type: NAME }`.
    public static func schema(
        yaml: String, file: String, in spec: Spec
    ) -> (schema: PropertySchema?, diagnostics: [Diagnostic]) {
        let (root, yamlDiagnostics) = YAMLLoader.load(yaml, file: file)
        guard let root else { return (nil, yamlDiagnostics) }
        var decoder = SpecDecoder(file: file)
        let schema = decoder.schemaOrTypeName(root, "the schema")
        var diagnostics = decoder.diagnostics
        if let schema {
            diagnostics += SpecLinter.lint(schema: schema, in: spec)
        }
        return (diagnostics.hasErrors ? nil : schema, diagnostics)
    }
}
