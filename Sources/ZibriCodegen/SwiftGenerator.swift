import Foundation
public import ZibriSchema

/// Swift source from a checked spec: a `Codable` struct per model, typed registration helpers
/// for every handler the spec names, and the spec's fingerprint. The runtime still interprets
/// the spec (validation, routing); the generated code only gives its values Swift types.
public enum SwiftGenerator {
    /// The generated file for a spec without errors. Same spec and options, same bytes.
    public static func source(
        for resolved: ResolvedSpec, options: SwiftGenerationOptions = SwiftGenerationOptions()
    ) -> String {
        let plan = SwiftPlan(resolved)
        return SwiftRenderer(plan: plan, options: options, specFile: resolved.spec.file).render()
    }

    /// The handler names that get a typed helper, each with its Swift name as code calls it
    /// (`app.handlers.<name>`): for `zibri init`, which writes calls to the helpers.
    package static func helperNames(of resolved: ResolvedSpec) -> [String: String] {
        var names: [String: String] = [:]
        for handler in SwiftPlan(resolved).handlers {
            names[handler.specName] = SwiftNames.declared(handler.methodName)
        }
        return names
    }
}

// MARK: - The plan: what to declare, before any text
