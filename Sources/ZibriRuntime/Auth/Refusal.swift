import ZibriValidation

/// A refusal by the `Authorizer`: the 401 or 403 to answer with.
struct Refusal: Error {
    let problem: ProblemDocument

    init(_ problem: ProblemDocument) {
        self.problem = problem
    }
}
