import Foundation

/// Stage 1 of the pipeline: a spec's bytes read as YAML, with the source kept for diagnostics.
package enum SpecLoader {
    /// Reads the file at `path`. `displayName` is the file name used in diagnostics.
    package static func load(
        contentsOf path: String, displayName: String? = nil, limits: YAMLLimits = YAMLLimits()
    ) throws -> SpecStage<YAMLNode> {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return load(bytes: [UInt8](data), file: displayName ?? path, limits: limits)
    }

    package static func load(bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()) -> SpecStage<YAMLNode> {
        let (root, diagnostics) = YAMLLoader.load(bytes, file: file, limits: limits)
        let source = String(validating: bytes, as: UTF8.self).map { SpecSource(file: file, text: $0) }
        return SpecStage(source: source, value: root, diagnostics: diagnostics)
    }
}
