import Testing
import ZibriSchema

/// The fingerprint generated code carries: it changes with the types, and only with them.
@Suite struct SpecFingerprintTests {
    static let base = """
        zibri: "1"
        info: { title: T, version: "1" }
        models:
          Item:
            description: An item.
            properties:
              name: { type: string, maxLength: 10 }
              kind: { type: string, enum: [a, b] }
        http:
          routes:
            POST /items: { handler: addItem, body: Item, response: Item }

        """

    static func fingerprint(_ yaml: String) throws -> String {
        let loaded = SpecPipeline.lint(yaml: yaml)
        #expect(!loaded.diagnostics.hasErrors, "\(loaded.diagnostics)")
        return SpecFingerprint.of(try #require(loaded.value))
    }

    @Test(arguments: [
        (
            "a property added", "name: { type: string, maxLength: 10 }",
            "name: { type: string, maxLength: 10 }\n      n: { type: integer }"
        ),
        ("a type changed", "name: { type: string, maxLength: 10 }", "name: { type: integer }"),
        ("made optional", "name: { type: string, maxLength: 10 }", "name: { type: string, required: false }"),
        ("an enum member renamed", "enum: [a, b]", "enum: [a, c]"),
        ("a handler renamed", "handler: addItem", "handler: createItem"),
        ("a response dropped", ", response: Item }", " }"),
    ])
    func anEditOfTheTypesChangesTheFingerprint(_ edit: String, _ old: String, _ new: String) throws {
        let edited = Self.base.replacingOccurrences(of: old, with: new)
        #expect(edited != Self.base)
        #expect(try Self.fingerprint(edited) != Self.fingerprint(Self.base), "\(edit)")
    }

    @Test func anEditOfDescriptionsConstraintsOrLayoutKeepsTheFingerprint() throws {
        let edited =
            "# A comment.\n"
            + Self.base.replacingOccurrences(of: "description: An item.", with: "description: Something else.")
            .replacingOccurrences(of: "maxLength: 10", with: "maxLength: 20, minLength: 1")
        #expect(try Self.fingerprint(edited) == Self.fingerprint(Self.base))
        #expect(try Self.fingerprint(Self.base).count == 16)
    }
}
