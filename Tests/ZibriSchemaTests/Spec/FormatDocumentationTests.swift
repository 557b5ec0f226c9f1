import Foundation
import Testing

@testable import ZibriSchema

/// docs/spec-format.md and schemas/zibri-spec.schema.json stay in step with the decoder:
/// every key the decoder reads is documented and in the JSON Schema, and every rule is listed.
@Suite struct FormatDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let documentation =
        (try? String(contentsOf: root.appendingPathComponent("docs/spec-format.md"), encoding: .utf8)) ?? ""
    static let jsonSchema =
        (try? String(contentsOf: root.appendingPathComponent("schemas/zibri-spec.schema.json"), encoding: .utf8)) ?? ""

    static let decoderKeys = Set(
        SpecDecoder.topLevelKeys + SpecDecoder.modelKeys + SpecDecoder.schemaKeys + SpecDecoder.httpRouteKeys
            + SpecDecoder.webSocketKeys + SpecDecoder.webSocketRouteKeys)

    @Test func everyKeyIsDocumented() {
        for key in Self.decoderKeys.sorted() {
            #expect(["`\(key)`", ".\(key)`", "`\(key)."].contains { Self.documentation.contains($0) }, "\(key)")
        }
    }

    @Test func everyKeyIsInTheJSONSchema() {
        for key in Self.decoderKeys.sorted() {
            #expect(Self.jsonSchema.contains("\"\(key)\": {"), "\(key)")
        }
    }

    @Test func everyRuleIsDocumented() {
        for rule in LintRules.all {
            #expect(Self.documentation.contains("| `\(rule.id)` |"), "\(rule.id)")
        }
    }
}
