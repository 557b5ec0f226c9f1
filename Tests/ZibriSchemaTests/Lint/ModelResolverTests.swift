import Testing
import ZibriSchema

@Suite struct ModelResolverTests {
    static let yaml = """
        zibri: "1"
        info: { title: T, version: "1" }
        models:
          User:
            properties:
              id: { type: string }
              name: { type: string }
              email: { type: string }
          CreateUser: { from: User, omit: [id] }
          UserPatch: { from: User, pick: [name, email], partial: true }
          Admin:
            from: User
            properties:
              name: { type: string, minLength: 3 }
              level: { type: integer }
        """

    @Test func derivedModelsResolve() throws {
        let spec = try #require(SpecPipeline.lint(yaml: Self.yaml).spec)
        let (models, diagnostics) = ModelResolver.resolve(spec)
        #expect(diagnostics.isEmpty)
        #expect(models["CreateUser"]?.properties.map(\.name) == ["name", "email"])
        #expect(models["UserPatch"]?.properties.map(\.name) == ["name", "email"])
        #expect(models["UserPatch"]?.properties.allSatisfy { !$0.schema.required } == true)
        #expect(models["User"]?.properties.allSatisfy(\.schema.required) == true)
        // Extra properties override the base's of the same name and add new ones at the end.
        #expect(models["Admin"]?.properties.map(\.name) == ["id", "name", "email", "level"])
        #expect(models["Admin"]?.properties[1].schema.minLength == 3)
    }
}
