import Foundation
import Testing
import ZibriSchema
import ZibriValidation

@Suite struct MockValuesTests {
    /// The mock value of an inline schema (with optional models), and whether it is valid.
    func mock(_ schema: String, models: String = "") throws -> (value: JSONValue, valid: Bool) {
        let yaml = "zibri: \"1\"\ninfo: { title: T, version: \"1\" }\n" + (models.isEmpty ? "" : "models:\n" + models)
        let checked = SpecChecker.check(yaml: yaml)
        let compiled = try #require(checked.compiled)
        let (parsed, diagnostics) = SpecPipeline.schema(yaml: schema, file: "schema", in: compiled.spec)
        let inline = try #require(parsed, "\(diagnostics)")
        let (value, failure) = MockValues(compiled).value(for: inline)
        return (value, failure == nil)
    }

    @Test func examplesConstantsEnumsAndDefaultsComeFirst() throws {
        #expect(try mock("{ type: string, example: Hello }").value == "Hello")
        #expect(try mock("{ type: integer, const: 7 }").value == 7)
        #expect(try mock("{ type: string, enum: [low, high] }").value == "low")
        #expect(try mock("{ type: boolean, default: false }").value == false)
    }

    @Test(arguments: [
        (#"{ type: string, pattern: "^[a-z0-9-]{1,40}$" }"#, "a"),
        (#"{ type: string, pattern: "^[a-z]+$", minLength: 5 }"#, "aaaaa"),
        (#"{ type: string, pattern: "^(red|green)-[0-9]{3}$" }"#, "red-000"),
        (#"{ type: string, pattern: "^[^a-z]{2}\\d$" }"#, "000"),
        (#"{ type: string, pattern: "^\\w+@\\w+\\.com$" }"#, "a@a.com"),
        ("{ type: string, minLength: 10 }", "stringxxxx"),
        ("{ type: string, maxLength: 3 }", "str"),
        ("{ type: string, format: email }", "user@example.com"),
        ("{ type: string, format: uuid }", "3f2b8c1e-6d4a-4b7e-9a1c-2e5f7d8b9c0a"),
    ])
    func stringsSatisfyTheirConstraints(schema: String, expected: String) throws {
        let (value, valid) = try mock(schema)
        #expect(value == .string(expected))
        #expect(valid)
    }

    @Test(arguments: [
        ("{ type: integer }", JSONValue.integer(1)),
        ("{ type: integer, minimum: 10, maximum: 20 }", 10),
        ("{ type: integer, exclusiveMinimum: 10 }", 11),
        ("{ type: integer, minimum: 11, multipleOf: 5 }", 15),
        ("{ type: integer, maximum: -3 }", -3),
        ("{ type: integer, exclusiveMaximum: 0 }", -1),
        ("{ type: number, exclusiveMinimum: 0.5, multipleOf: 0.25 }", 0.75),
        ("{ type: number, minimum: 0.1, maximum: 0.2 }", 0.1),
    ])
    func numbersSatisfyTheirBounds(schema: String, expected: JSONValue) throws {
        let (value, valid) = try mock(schema)
        #expect(value == expected)
        #expect(valid)
    }

    @Test func datesArraysAndObjectsSatisfyTheirConstraints() throws {
        let after = try mock(#"{ type: date, after: "2030-05-01" }"#)
        #expect(after.value == "2030-05-02T00:00:00Z")
        #expect(after.valid)
        #expect(try mock(#"{ type: date, after: "2030-05-01", before: "2030-05-03" }"#).valid)
        let unique = try mock("{ type: array, items: { type: integer }, minItems: 3, uniqueItems: true }")
        #expect(unique.value == [1, 2, 3])
        #expect(unique.valid)
        #expect(try mock("{ type: array, items: { type: string }, maxItems: 0 }").value == [])
        let inline = try mock(
            "{ type: object, properties: { a: { type: string }, b: { type: integer, required: false } } }")
        #expect(inline.value == ["a": "a", "b": 1])
        #expect(inline.valid)
    }

    @Test func recursiveModelsEndAndEveryPropertyIsShown() throws {
        let models = """
              Comment:
                properties:
                  text: { type: string, minLength: 1 }
                  author: { type: string, format: email, required: false }
                  replies: { type: array, items: Comment, required: false }
                  parent: { type: Comment, nullable: true, required: false }

            """
        let (value, valid) = try mock("Comment", models: models)
        #expect(valid)
        #expect(value["text"] == "text")
        #expect(value["author"] == "user@example.com")
        #expect(value["replies"]?[0]?["text"] == "text")
    }

    /// Every model of every example spec gets a valid mock value: what `zibri serve --mock`
    /// answers with.
    @Test(arguments: [
        "Tests/ZibriSchemaTests/Corpus/valid/chat-features.yaml", "examples/Chat/chat.zibri.yaml",
        "examples/TodoAPI/todo.zibri.yaml",
    ])
    func everyModelOfTheExamplesHasAValidMock(path: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let checked = try SpecChecker.check(contentsOf: root.appendingPathComponent(path).path)
        let compiled = try #require(checked.compiled)
        for name in compiled.models.keys.sorted() {
            let schema = PropertySchema(type: .model(name), location: compiled.models[name]!.location)
            let (value, failure) = MockValues(compiled).value(for: schema)
            #expect(failure == nil, "\(name): \(value) \(failure.map(String.init(describing:)) ?? "")")
        }
    }
}
