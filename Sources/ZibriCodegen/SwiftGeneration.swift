import ZibriSchema
public import ZibriValidation

/// Checks a spec and generates its Swift types: what `zibri generate swift` and the
/// ZibriGenerator plugin's tool both run, so that they agree to the byte.
public enum SwiftGeneration {
    public struct Result: Sendable {
        /// The generated source; nil when the spec has errors.
        public var source: String?
        public var check: SpecCheckResult
    }

    /// Reads, lints and compiles the spec at `path` (`displayName` is what diagnostics call it),
    /// then generates. Throws only when the file cannot be read.
    public static func run(
        specAt path: String, displayName: String? = nil, options: SwiftGenerationOptions
    ) throws -> Result {
        let check = try SpecChecker.check(contentsOf: path, displayName: displayName)
        guard let compiled = check.compiled, !check.diagnostics.hasErrors else {
            return Result(source: nil, check: check)
        }
        return Result(source: SwiftGenerator.source(for: compiled.resolved, options: options), check: check)
    }

    /// `chat.zibri.swift` for `chat.zibri.yaml`.
    public static func outputFileName(forSpec path: String) -> String {
        var name = String(path.split(separator: "/").last ?? "spec")
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
        }
        return name + ".swift"
    }
}
