public import ZibriSchema

/// Stage 4 of the pipeline: builds the validators and reports what only a validator can see:
/// a `default`, `example`, `enum` or `const` that breaks its own property's constraints.
public enum SpecCompiler {
    public static func diagnostics(for spec: Spec) -> [Diagnostic] {
        let models = ModelResolver.resolve(spec).models
        var diagnostics: [Diagnostic] = []
        func visit(_ schema: PropertySchema) {
            checkLiterals(of: schema, models: models, into: &diagnostics)
            if let items = schema.items?.value { visit(items) }
            for property in schema.properties ?? [] { visit(property.schema) }
            if case .schema(let extra) = schema.additionalProperties?.value { visit(extra) }
        }
        for model in spec.models {
            model.properties.forEach { visit($0.schema) }
            if case .schema(let extra) = model.additionalProperties { visit(extra) }
        }
        for route in spec.http.routes {
            (route.params + route.query + route.headers).forEach { visit($0.schema) }
            [route.body, route.response].compactMap { $0 }.forEach(visit)
        }
        for route in spec.websocket?.routes ?? [] {
            [route.body, route.response].compactMap { $0 }.forEach(visit)
        }
        return diagnostics
    }

    private static func checkLiterals(
        of schema: PropertySchema, models: [String: ResolvedModel], into diagnostics: inout [Diagnostic]
    ) {
        // A model reference that does not resolve was reported by the linter; skip its literals.
        if case .model(let name) = schema.type, models[name] == nil { return }
        let validator = SchemaValidator(schema: schema, models: models)
        func report(_ key: String, _ rule: String, _ what: String, _ problems: [ValidationProblem]) {
            guard let problem = problems.first else { return }
            let place = problem.pointer.isEmpty ? "" : " at \(problem.pointer)"
            diagnostics.append(
                .error(
                    rule, "\(what) breaks its own property's constraints\(place): \(problem.message)",
                    at: schema.location(of: key)))
        }
        if let value = schema.defaultValue {
            report("default", "invalid-default", "'default'", validator.validate(value))
        }
        if let value = schema.example {
            report("example", "invalid-example", "'example'", validator.validate(value))
        }
        var withoutChoices = schema
        withoutChoices.enumValues = nil
        withoutChoices.constValue = nil
        let memberValidator = SchemaValidator(schema: withoutChoices, models: models)
        for member in schema.enumValues ?? [] {
            report("enum", "invalid-enum-member", "'enum' member \(member.jsonText)", memberValidator.validate(member))
        }
        if let value = schema.constValue {
            report("const", "invalid-const", "'const'", memberValidator.validate(value))
        }
    }
}

/// The whole pipeline short of serving: load, lint, compile. What `zibri lint` and the runtime run.
public enum SpecChecker {
    public static func check(contentsOf path: String, displayName: String? = nil) throws -> SpecLoadResult {
        addCompileDiagnostics(try SpecLoader.load(contentsOf: path, displayName: displayName))
    }

    public static func check(yaml: String, file: String = "spec.zibri.yaml") -> SpecLoadResult {
        addCompileDiagnostics(SpecLoader.load(yaml: yaml, file: file))
    }

    public static func check(bytes: [UInt8], file: String) -> SpecLoadResult {
        addCompileDiagnostics(SpecLoader.load(bytes: bytes, file: file))
    }

    private static func addCompileDiagnostics(_ result: SpecLoadResult) -> SpecLoadResult {
        var result = result
        if let spec = result.spec {
            result.diagnostics = (result.diagnostics + SpecCompiler.diagnostics(for: spec)).sortedByLocation()
        }
        return result
    }
}
