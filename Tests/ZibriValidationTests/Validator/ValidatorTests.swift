import Foundation
import Testing
import ZibriSchema

@testable import ZibriValidation

/// Builds a validator for an inline schema, with optional models, through the real pipeline.
func makeValidator(_ schema: String, models: String = "") throws -> Validator {
    let yaml = "zibri: \"1\"\ninfo: { title: T, version: \"1\" }\n" + (models.isEmpty ? "" : "models:\n" + models)
    let checked = SpecChecker.check(yaml: yaml)
    let compiled = try #require(checked.compiled)
    #expect(!checked.diagnostics.hasErrors, "\(checked.diagnostics)")
    let (parsed, diagnostics) = SpecPipeline.schema(yaml: schema, file: "schema", in: compiled.spec)
    let inline = try #require(parsed, "\(diagnostics)")
    return try compiled.validator(for: inline)
}

/// The problems as `pointer code` pairs, or [] when valid.
func problems(_ validator: Validator, _ json: String) -> [String] {
    do {
        _ = try validator.validate(json: Array(json.utf8))
        return []
    } catch {
        return error.problems.map { "\($0.pointer) \($0.code)" }
    }
}

@Suite struct ValidatorTests {
    @Test func stringLengthsCountUnicodeScalars() throws {
        let v = try makeValidator("{ type: string, minLength: 3, maxLength: 4 }")
        #expect(problems(v, #""ab""#) == [" minLength"])
        #expect(problems(v, #""abc""#) == [])
        #expect(problems(v, #""abcd""#) == [])
        #expect(problems(v, #""abcde""#) == [" maxLength"])
        #expect(problems(v, #""a😀b""#) == [])  // 3 scalars, 6 UTF-8 bytes
        #expect(problems(v, #""e\u0301e\u0301""#) == [])  // 2 characters, 4 scalars
        #expect(problems(v, #""👍🏽👍🏽👍🏽""#) == [" maxLength"])  // 3 characters, 6 scalars
    }

    @Test func messagesSayWhatIsWrong() throws {
        let v = try makeValidator("{ type: string, maxLength: 2000 }")
        do {
            _ = try v.validate(.string(String(repeating: "x", count: 2014)))
            Issue.record("expected a failure")
        } catch {
            #expect(error.problems.first?.message == "must be at most 2000 characters long, is 2014")
        }
    }

    @Test func patternsAreUnanchoredUnlessAnchored() throws {
        #expect(problems(try makeValidator(#"{ type: string, pattern: "b+" }"#), #""abbc""#) == [])
        #expect(problems(try makeValidator(#"{ type: string, pattern: "^b+$" }"#), #""abbc""#) == [" pattern"])
    }

    @Test(arguments: [
        ("email", "a.b+c@example.com", "a@b"),
        ("uuid", "6f1c2a56-2d3b-4c1e-9f00-1234567890ab", "6f1c2a56-2d3b-4c1e-9f00-1234567890a"),
        ("uri", "https://example.com/a?b=c", "not a uri"),
        ("date-time", "2024-05-01T10:00:00.5+02:00", "2024-05-01 10:00"),
        ("date", "2024-02-29", "2023-02-29"),
        ("ipv4", "192.168.0.1", "256.1.1.1"),
        ("ipv6", "2001:db8::1", "2001:db8:::1"),
        ("hostname", "api.example.com", "-bad-.com"),
    ])
    func formats(_ format: String, _ good: String, _ bad: String) throws {
        let v = try makeValidator("{ type: string, format: \(format) }")
        #expect(problems(v, "\"\(good)\"") == [])
        #expect(problems(v, "\"\(bad)\"") == [" format"])
    }

    @Test func integersMustBeWholeAndWithin64Bits() throws {
        let v = try makeValidator("{ type: integer }")
        #expect(problems(v, "1") == [])
        #expect(problems(v, "1.0") == [])
        #expect(problems(v, "1.5") == [" type"])
        #expect(problems(v, "1e30") == [" type"])
        #expect(problems(v, "\"1\"") == [" type"])
        #expect(problems(v, "true") == [" type"])
        #expect(problems(v, "1e400") == [" json"])
    }

    @Test func numberBoundsAndExactMultiples() throws {
        let v = try makeValidator("{ type: number, minimum: 0, exclusiveMaximum: 1, multipleOf: 0.1 }")
        #expect(problems(v, "0") == [])
        #expect(problems(v, "0.3") == [])
        #expect(problems(v, "0.7") == [])
        #expect(problems(v, "0.35") == [" multipleOf"])
        #expect(problems(v, "1") == [" exclusiveMaximum"])
        #expect(problems(v, "-0.1") == [" minimum"])
        let bounds = try makeValidator("{ type: integer, maximum: 10, exclusiveMinimum: 2, multipleOf: 3 }")
        #expect(problems(bounds, "3") == [])
        #expect(problems(bounds, "2") == [" exclusiveMinimum", " multipleOf"])
        #expect(problems(bounds, "12") == [" maximum"])
    }

    @Test func enumAndConstUseJSONSchemaEquality() throws {
        let numbers = try makeValidator("{ type: number, enum: [1, 2.5] }")
        #expect(problems(numbers, "1.0") == [])
        #expect(problems(numbers, "2.5") == [])
        #expect(problems(numbers, "3") == [" enum"])
        let anything = try makeValidator("{ type: any, enum: [[1, { a: true }], false, null] }")
        #expect(problems(anything, #"[1.0, {"a": true}]"#) == [])
        #expect(problems(anything, #"[1, {"a": 1}]"#) == [" enum"])
        #expect(problems(anything, "0") == [" enum"])  // false is not 0
        #expect(problems(anything, "null") == [])
        let constant = try makeValidator("{ type: any, const: { x: [1, 2] } }")
        #expect(problems(constant, #"{"x": [1, 2.0]}"#) == [])
        #expect(problems(constant, #"{"x": [2, 1]}"#) == [" const"])
    }

    @Test func uniqueItemsCompareDeeply() throws {
        let v = try makeValidator("{ type: array, uniqueItems: true, minItems: 1, maxItems: 3 }")
        #expect(problems(v, "[1, 2, 3]") == [])
        #expect(problems(v, "[1, 1.0]") == ["/1 uniqueItems"])
        #expect(problems(v, #"[{"a": [1]}, {"a": [1]}]"#) == ["/1 uniqueItems"])
        #expect(problems(v, "[false, 0]") == [])
        #expect(problems(v, "[]") == [" minItems"])
        #expect(problems(v, "[1, 2, 3, 4]") == [" maxItems"])
    }

    @Test func objectsReportMissingAndUnknownKeys() throws {
        let models = """
              Note:
                properties:
                  text: { type: string }
                  level: { type: integer, default: 1 }
                  tags: { type: array, items: { type: string }, default: [] }
                  mood: { type: string, nullable: true, required: false }

            """
        let v = try makeValidator("Note", models: models)
        #expect(problems(v, #"{"text": "x"}"#) == [])
        #expect(problems(v, #"{}"#) == ["/text required"])
        #expect(
            problems(v, #"{"text": "x", "colour": 1, "a/b~c": 2}"#) == [
                "/a~1b~0c additionalProperties", "/colour additionalProperties",
            ])
        #expect(problems(v, #"{"text": "x", "mood": null}"#) == [])
        #expect(problems(v, #"{"text": null}"#) == ["/text type"])
        #expect(problems(v, "[]") == [" type"])
        let open = try makeValidator("{ type: object, additionalProperties: { type: integer } }")
        #expect(problems(open, #"{"a": 1, "b": "x"}"#) == ["/b type"])
        let free = try makeValidator("{ type: object }")
        #expect(problems(free, #"{"anything": [1]}"#) == [])
    }

    @Test func normalizationFillsDefaultsAndTurnsDatesIntoDates() throws {
        let models = """
              Event:
                properties:
                  name: { type: string }
                  at: { type: date }
                  level: { type: integer, default: 1 }
                  tags: { type: array, items: { type: string }, default: [] }

            """
        let v = try makeValidator("Event", models: models)
        let value = try v.validate(json: Array(#"{"name": "x", "at": "2024-05-01T10:00:00Z"}"#.utf8))
        #expect(value["level"] == 1)
        #expect(value["tags"] == [])
        #expect(value["name"] == "x")
        #expect(value["at"] == .date(Date(timeIntervalSince1970: 1_714_557_600)))
        // Nothing else changes: 1.0 stays as written.
        let plain = try makeValidator("{ type: integer }")
        #expect(try plain.validate(json: Array("1.0".utf8)) == .number(1.0))
    }

    /// A patch says only what changes: a partial model fills no defaults, or every patch would
    /// reset the properties it does not name.
    @Test func partialModelsFillNoDefaults() throws {
        let models = """
              Todo:
                properties:
                  title: { type: string }
                  done: { type: boolean, default: false }
              TodoPatch: { from: Todo, partial: true }

            """
        let v = try makeValidator("TodoPatch", models: models)
        #expect(try v.validate(json: Array(#"{"title": "x"}"#.utf8)) == ["title": "x"])
        #expect(try v.validate(json: Array(#"{}"#.utf8)) == [:])
        let whole = try makeValidator("Todo", models: models)
        #expect(try whole.validate(json: Array(#"{"title": "x"}"#.utf8)) == ["title": "x", "done": false])
    }

    @Test func datesHaveBounds() throws {
        let v = try makeValidator(#"{ type: date, after: "2024-01-01", before: "2025-01-01" }"#)
        #expect(problems(v, #""2024-06-01""#) == [])
        #expect(problems(v, #""2024-01-01""#) == [" after"])
        #expect(problems(v, #""2025-06-01T00:00:00Z""#) == [" before"])
        #expect(problems(v, #""yesterday""#) == [" type"])
    }

    @Test func recursiveModelsWorkWithADepthLimit() throws {
        let models = """
              Comment:
                properties:
                  text: { type: string }
                  replies: { type: array, items: { type: Comment }, default: [] }

            """
        let v = try makeValidator("Comment", models: models)
        #expect(problems(v, #"{"text": "a", "replies": [{"text": "b", "replies": [{"text": "c"}]}]}"#) == [])
        #expect(problems(v, #"{"text": "a", "replies": [{"text": 1}]}"#) == ["/replies/0/text type"])
        var deep = #"{"text": "x"}"#
        for _ in 0..<100 { deep = #"{"text": "x", "replies": [\#(deep)]}"# }
        let found = problems(v, deep)
        #expect(found.count == 1)
        #expect(found.first?.hasSuffix(" depth") == true)
    }

    @Test func aRecursiveModelsNodesAreFreedWithTheLastValidator() throws {
        let models = """
              Comment:
                properties:
                  replies: { type: array, items: { type: Comment } }

            """
        weak var modelNode: SchemaNode?
        do {
            let v = try makeValidator("Comment", models: models)
            modelNode = v.root.target
            #expect(
                problems(v, #"{"replies": [{"replies": [{"replies": 1}]}]}"#) == ["/replies/0/replies/0/replies type"])
        }
        // The model's node points at itself through `replies`; a retained cycle would keep it.
        #expect(modelNode == nil)
    }

    @Test func problemsAreCappedAndSayTheyWere() throws {
        let v = try makeValidator("{ type: array, items: { type: integer } }")
        let input = "[" + Array(repeating: "\"x\"", count: 150).joined(separator: ",") + "]"
        do {
            _ = try v.validate(json: Array(input.utf8))
            Issue.record("expected a failure")
        } catch {
            #expect(error.problems.count == 100)
            #expect(error.truncated)
            #expect(ProblemDocument.validation(error).detail.hasSuffix("more problems were found than are listed"))
        }
    }

    @Test func malformedInputIsOneProblemNotACrash() throws {
        let v = try makeValidator("{ type: any }")
        #expect(problems(v, #"{"a": 1, "a": 2}"#) == [" json"])
        #expect(throws: ValidationFailure.self) { try v.validate(json: [0x22, 0xFF, 0x22]) }
        #expect(problems(v, String(repeating: "[", count: 10_000)) == [" json"])
    }

    @Test func longValuesAreCutShortInMessages() throws {
        let v = try makeValidator("{ type: integer }")
        do {
            _ = try v.validate(.string(String(repeating: "y", count: 500)))
            Issue.record("expected a failure")
        } catch {
            let message = try #require(error.problems.first?.message)
            #expect(message.count < 100)
            #expect(message.hasSuffix("…\""))
        }
    }
}
