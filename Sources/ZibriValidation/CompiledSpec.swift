public import ZibriSchema

/// A spec with its validators built: what the runtime serves from. Immutable and shareable.
public struct CompiledSpec: Sendable {
    /// The spec with its models resolved, as the exporters and the generator take it.
    public let resolved: ResolvedSpec
    private let modelValidators: [String: Validator]

    public var spec: Spec { resolved.spec }
    public var models: [String: ResolvedModel] { resolved.models }

    init(resolved: ResolvedSpec, modelValidators: [String: Validator]) {
        self.resolved = resolved
        self.modelValidators = modelValidators
    }

    /// The validator of a model, by name.
    public func validator(forModel name: String) -> Validator? {
        modelValidators[name]
    }

    /// Compiles a validator for a schema that is not in the spec (e.g. `zibri validate --type`).
    /// Its model references resolve against the spec's models.
    public func validator(for schema: PropertySchema) throws(SpecError) -> Validator {
        var compiler = SchemaCompiler(models: models)
        let node = compiler.node(for: schema)
        compiler.finish()
        if let problem = compiler.patternErrors.first {
            throw SpecError(diagnostics: [
                .error(
                    "invalid-pattern", "'pattern' cannot be used: \(problem.message)",
                    at: problem.schema.location(of: "pattern"))
            ])
        }
        return Validator(root: node, graph: compiler.graph)
    }
}
