import Hummingbird
import ZibriSchema
import ZibriValidation

/// Everything one route needs at request time, built once at start-up.
struct CompiledRoute: Sendable {
    let method: HTTPRequest.Method
    /// The full path, base path included, in Hummingbird's `{name}` syntax.
    let path: String
    let handlerName: String
    let handler: HTTPHandlers.Erased
    let params: ParameterValidator
    let query: ParameterValidator
    let headers: ParameterValidator
    let body: Validator?
    let response: Validator?
    let status: HTTPResponse.Status
    let auth: AuthRequirement
    let roles: [String]
    let metrics: ZibriMetrics.RouteMetrics
}
