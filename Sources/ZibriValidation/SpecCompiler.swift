public import ZibriSchema

/// Stage 5 of the pipeline (after `SpecPipeline`'s four): builds the validators, and reports what only a validator can see:
/// a `pattern` the engine cannot run, and a `default`, `example`, `enum` member or `const`
/// that breaks its own property's constraints.
public enum SpecCompiler {
    public static func compile(_ resolved: ResolvedSpec) -> (compiled: CompiledSpec, diagnostics: [Diagnostic]) {
        let spec = resolved.spec
        let models = resolved.models
        var compiler = SchemaCompiler(models: models)
        var validators: [String: Validator] = [:]
        for model in spec.models {
            if let node = compiler.modelNode(model.name) {
                validators[model.name] = Validator(root: node, graph: compiler.graph)
            }
        }
        var diagnostics: [Diagnostic] = []
        forEachSchema(in: spec) { schema in
            checkLiterals(of: schema, models: models, into: &diagnostics)
            if let source = schema.pattern, ECMAPattern.repeatsARepetition(source) {
                diagnostics.append(
                    .warning(
                        "nested-quantifier",
                        "the pattern repeats a repetition: Zibri matches it in linear time, but clients that check it with a backtracking engine (JavaScript's RegExp) can take exponential time; write it without the nesting",
                        at: schema.location(of: "pattern")))
            }
            // Route schemas are compiled here too, so their patterns are checked.
            _ = compiler.node(for: schema)
        }
        compiler.finish()
        var reported: Set<SourceLocation> = []
        for (schema, message) in compiler.patternErrors where reported.insert(schema.location(of: "pattern")).inserted {
            diagnostics.append(
                .error("invalid-pattern", "'pattern' cannot be used: \(message)", at: schema.location(of: "pattern")))
        }
        return (CompiledSpec(resolved: resolved, modelValidators: validators), diagnostics)
    }

    /// Calls `body` with every property schema written in the spec, nested ones included.
    static func forEachSchema(in spec: Spec, _ body: (PropertySchema) -> Void) {
        func visit(_ schema: PropertySchema) {
            body(schema)
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
    }

    private static func checkLiterals(
        of schema: PropertySchema, models: [String: ResolvedModel], into diagnostics: inout [Diagnostic]
    ) {
        guard
            schema.defaultValue != nil || schema.example != nil || schema.enumValues != nil || schema.constValue != nil
        else { return }
        // A model reference that does not resolve was reported by the linter; skip its literals.
        if case .model(let name) = schema.type, models[name] == nil { return }
        var compiler = SchemaCompiler(models: models)
        var plain = schema
        plain.defaultValue = nil
        let validator = Validator(root: compiler.node(for: plain), graph: compiler.graph)
        plain.enumValues = nil
        plain.constValue = nil
        let memberValidator = Validator(root: compiler.node(for: plain), graph: compiler.graph)
        compiler.finish()
        func report(_ key: String, _ rule: String, _ what: String, _ validator: Validator, _ value: JSONValue) {
            do {
                _ = try validator.validate(value)
            } catch {
                guard let problem = error.problems.first else { return }
                let place = problem.pointer.isEmpty ? "" : " at \(problem.pointer)"
                let more = error.problems.count > 1 ? " (and \(error.problems.count - 1) more)" : ""
                diagnostics.append(
                    .error(
                        rule, "\(what) breaks its own property's constraints\(place): \(problem.message)\(more)",
                        at: schema.location(of: key)))
            }
        }
        if let value = schema.defaultValue { report("default", "invalid-default", "'default'", validator, value) }
        if let value = schema.example { report("example", "invalid-example", "'example'", validator, value) }
        for member in schema.enumValues ?? [] {
            report("enum", "invalid-enum-member", "'enum' member \(member.jsonText)", memberValidator, member)
        }
        if let value = schema.constValue { report("const", "invalid-const", "'const'", memberValidator, value) }
    }
}
