import Testing
import ZibriSchema
import ZibriValidation

@Suite struct ParameterValidatorTests {
    static let yaml = """
        zibri: "1"
        info: { title: T, version: "1" }
        http:
          routes:
            GET /items/{id}:
              handler: listItems
              params: { id: { type: integer, minimum: 1 } }
              query:
                limit: { type: integer, minimum: 1, maximum: 100, default: 20 }
                ratio: { type: number, required: false }
                active: { type: boolean, required: false }
                tag: { type: array, items: { type: string }, required: false }
                ids: { type: array, items: { type: integer }, required: false }
                since: { type: date, required: false }
                q: { type: string, required: false }
              headers:
                X-Api-Key: { type: string, minLength: 40, required: false }
                X-Trace: { type: integer, required: false }
        """

    static func validators() throws -> (
        params: ParameterValidator, query: ParameterValidator, headers: ParameterValidator
    ) {
        let checked = SpecChecker.check(yaml: yaml)
        let compiled = try #require(checked.compiled)
        let route = compiled.spec.http.routes[0]
        return (
            compiled.parameterValidator(for: route.params, in: .params),
            compiled.parameterValidator(for: route.query, in: .query),
            compiled.parameterValidator(for: route.headers, in: .headers)
        )
    }

    func failure(_ validator: ParameterValidator, _ values: [String: [String]]) -> [String] {
        do {
            _ = try validator.validate(values)
            return []
        } catch {
            return error.problems.map { "\($0.pointer) \($0.code): \($0.message)" }
        }
    }

    @Test func textIsCoercedToTheDeclaredTypes() throws {
        let query = try Self.validators().query
        let value = try query.validate([
            "limit": ["12"], "ratio": ["0.5"], "active": ["1"], "tag": ["a", "b"], "ids": ["1,2,3"],
            "since": ["2024-01-01"], "q": ["12"],
        ])
        #expect(value["limit"] == 12)
        #expect(value["ratio"] == 0.5)
        #expect(value["active"] == true)
        #expect(value["tag"] == ["a", "b"])
        #expect(value["ids"] == [1, 2, 3])
        #expect(value["since"]?.date != nil)
        #expect(value["q"] == "12")  // a string stays a string
        #expect(try query.validate([:])["limit"] == 20)  // the default
        #expect(try query.validate(["active": ["false"]])["active"] == false)
        #expect(try query.validate(["active": ["0"]])["active"] == false)
    }

    @Test func uncoercibleTextIsATypeProblemAtItsPointer() throws {
        let (params, query, _) = try Self.validators()
        #expect(failure(query, ["limit": ["ten"]]) == [#"/query/limit type: must be an integer, is the string "ten""#])
        #expect(failure(query, ["limit": ["500"]]) == ["/query/limit maximum: must be at most 100, is 500"])
        #expect(failure(query, ["active": ["yes"]]).first?.hasPrefix("/query/active type") == true)
        #expect(failure(query, ["ids": ["1,x"]]).first?.hasPrefix("/query/ids/1 type") == true)
        #expect(failure(query, ["ratio": ["inf"]]).first?.hasPrefix("/query/ratio type") == true)
        #expect(failure(params, [:]) == ["/params/id required: is required"])
        #expect(failure(params, ["id": ["0"]]) == ["/params/id minimum: must be at least 1, is 0"])
    }

    /// `?limit=5&limit=abc`: a repeated key is a list only where the parameter is an array.
    @Test func aRepeatedScalarIsAProblemAndARepeatedArrayAList() throws {
        let (_, query, headers) = try Self.validators()
        #expect(
            failure(query, ["limit": ["5", "abc"]]) == [
                "/query/limit repeated: is given 2 times; one value is expected"
            ])
        #expect(
            failure(query, ["limit": ["5", "5"]]) == ["/query/limit repeated: is given 2 times; one value is expected"])
        #expect(
            failure(headers, ["x-trace": ["1", "2"]]) == [
                "/headers/X-Trace repeated: is given 2 times; one value is expected"
            ])
        #expect(try query.validate(["tag": ["a", "b", "c"]])["tag"] == ["a", "b", "c"])
    }

    @Test func headersMatchCaseInsensitivelyAndSecretsAreNeverEchoed() throws {
        let headers = try Self.validators().headers
        #expect(try headers.validate(["x-trace": ["7"]])["X-Trace"] == 7)
        let secret = "sk_live_ABCDEF"
        let problems = failure(headers, ["x-api-key": [secret]])
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("/headers/X-Api-Key minLength") == true)
        #expect(problems.allSatisfy { !$0.contains(secret) })
        let typed = failure(headers, ["x-trace": ["abc"]])
        #expect(typed == [#"/headers/X-Trace type: must be an integer, is the string "abc""#])
    }
}
