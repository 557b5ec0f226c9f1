import Testing
import ZibriSchema
import ZibriValidation

@Suite struct ProblemDocumentTests {
    @Test func validationFailuresRenderAsRFC9457() throws {
        let failure = ValidationFailure(problems: [
            ValidationProblem(
                pointer: "/message", code: "minLength", message: "must be at least 1 character long, is 0"),
            ValidationProblem(
                pointer: "/tags/3", code: "maxLength", message: "must be at most 20 characters long, is 21"),
        ])
        let document = ProblemDocument.validation(failure.prefixed("/body"))
        #expect(
            document.json.jsonText
                == #"{"detail":"/body/message must be at least 1 character long, is 0 (and 1 more problem)","#
                + #""errors":[{"code":"minLength","detail":"must be at least 1 character long, is 0","pointer":"/body/message"},"#
                + #"{"code":"maxLength","detail":"must be at most 20 characters long, is 21","pointer":"/body/tags/3"}],"#
                + #""status":400,"title":"Validation failed","type":"urn:zibri:problem:validation"}"#)
    }
}
