import Testing
import Zibri
import ZibriRuntime
import ZibriSchema

/// Code generated from one version of a spec, served with another: refused before the port is
/// bound, with what to do; the same spec, or an edit that changes no type, starts.
@Suite struct GeneratedCodeCheckTests {
    static let spec = """
        zibri: "1"
        info: { title: T, version: "1" }
        models:
          Item:
            properties:
              name: { type: string }
        http:
          routes:
            POST /items: { handler: addItem, body: Item, response: Item }

        """

    static func fingerprint(_ yaml: String) throws -> String {
        SpecFingerprint.of(try #require(SpecPipeline.lint(yaml: yaml).value))
    }

    static func application(_ yaml: String) throws -> ZibriApplication {
        let app = try ZibriApplication(yaml: yaml, file: "items.zibri.yaml", environment: ["ZIBRI_PORT": "0"])
        app.http.handle("addItem") { (input: HTTPInput<JSONValue>, _) -> JSONValue in input.body }
        return app
    }

    @Test func codeMadeFromAnotherVersionOfTheSpecIsRefusedAtStart() async throws {
        let generatedFrom = try Self.fingerprint(Self.spec)
        let edited = Self.spec.replacingOccurrences(of: "name: { type: string }", with: "name: { type: integer }")
        let app = try Self.application(edited)
        app.expectSpec(fingerprint: generatedFrom, generatedFrom: "items.zibri.yaml")
        do {
            _ = try await app.makeApplication()
            Issue.record("expected the start to fail")
        } catch let error as ZibriError {
            #expect(error.code == "stale-generated-code")
            #expect(
                error.message == """
                    the generated Swift types were made from another version of items.zibri.yaml (fingerprint \
                    \(generatedFrom)) than the spec this server loads, items.zibri.yaml (fingerprint \
                    \(try Self.fingerprint(edited))): generate them again (build again with the ZibriGenerator \
                    plugin, or run `zibri generate swift items.zibri.yaml`)
                    """)
        }
    }

    @Test func codeMadeFromTheSameTypesStarts() async throws {
        let generatedFrom = try Self.fingerprint(Self.spec)
        let app = try Self.application(
            Self.spec.replacingOccurrences(of: "{ type: string }", with: "{ type: string, minLength: 1 }"))
        app.expectSpec(fingerprint: generatedFrom, generatedFrom: "items.zibri.yaml")
        _ = try await app.makeApplication()
    }
}
