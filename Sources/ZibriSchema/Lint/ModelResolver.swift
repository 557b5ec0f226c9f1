/// Resolves derived models, reporting unknown bases, `from` cycles and `pick`/`omit` names
/// that the base does not have.
package struct ModelResolver {
    package private(set) var resolved: [String: ResolvedModel] = [:]
    package private(set) var diagnostics: [Diagnostic] = []
    private let definitions: [String: Model]
    private var visiting: [String] = []
    private var failed: Set<String> = []

    package static func resolve(_ spec: Spec) -> (models: [String: ResolvedModel], diagnostics: [Diagnostic]) {
        var resolver = ModelResolver(spec)
        for model in spec.models {
            _ = resolver.resolve(model.name)
        }
        return (resolver.resolved, resolver.diagnostics)
    }

    private init(_ spec: Spec) {
        var definitions: [String: Model] = [:]
        for model in spec.models where definitions[model.name] == nil {
            definitions[model.name] = model
        }
        self.definitions = definitions
    }

    private mutating func resolve(_ name: String) -> ResolvedModel? {
        if let done = resolved[name] { return done }
        if failed.contains(name) { return nil }
        guard let model = definitions[name] else { return nil }
        guard let derivation = model.derivation else {
            let result = ResolvedModel(
                name: name, location: model.location, description: model.description, properties: model.properties,
                additionalProperties: model.additionalProperties)
            resolved[name] = result
            return result
        }
        let baseName = derivation.base.value
        if baseName == name || visiting.contains(baseName) {
            let cycleStart = visiting.firstIndex(of: baseName) ?? visiting.endIndex
            let cycle = (visiting[cycleStart...] + [name, baseName]).joined(separator: " → ")
            diagnostics.append(
                .error("from-cycle", "model '\(name)' derives from itself: \(cycle)", at: derivation.base.location))
            failed.insert(name)
            return nil
        }
        guard definitions[baseName] != nil else {
            diagnostics.append(
                .error(
                    "unknown-type", "model '\(name)' derives from '\(baseName)', which is not a model",
                    at: derivation.base.location, hint: Suggestions.hint(for: baseName, in: definitions.keys)))
            failed.insert(name)
            return nil
        }
        visiting.append(name)
        let base = resolve(baseName)
        visiting.removeLast()
        guard let base else {
            failed.insert(name)
            return nil
        }
        var properties = base.properties
        let baseNames = properties.map(\.name)
        func checkNames(_ names: [Located<String>]?, _ key: String) {
            for name in names ?? [] where !baseNames.contains(name.value) {
                diagnostics.append(
                    .error(
                        "unknown-property", "'\(key)' names '\(name.value)', which is not a property of '\(baseName)'",
                        at: name.location, hint: Suggestions.hint(for: name.value, in: baseNames)))
            }
        }
        checkNames(derivation.pick, "pick")
        checkNames(derivation.omit, "omit")
        if let pick = derivation.pick {
            let names = Set(pick.map(\.value))
            properties.removeAll { !names.contains($0.name) }
        }
        if let omit = derivation.omit {
            let names = Set(omit.map(\.value))
            properties.removeAll { names.contains($0.name) }
        }
        for property in model.properties {
            if let index = properties.firstIndex(where: { $0.name == property.name }) {
                properties[index] = property
            } else {
                properties.append(property)
            }
        }
        if derivation.partial {
            // A partial model is a patch: it fills no defaults, or a patch naming one property
            // would reset the others.
            for index in properties.indices {
                properties[index].schema.required = false
                properties[index].schema.defaultValue = nil
            }
        }
        let result = ResolvedModel(
            name: name, location: model.location, description: model.description ?? base.description,
            properties: properties,
            additionalProperties: model.keyLocations["additionalProperties"] != nil
                ? model.additionalProperties : base.additionalProperties)
        resolved[name] = result
        return result
    }
}
