import Foundation
import Hummingbird
import NIOHTTP1
import ZibriSchema
import ZibriValidation

/// The outermost step of every request: turns every error of the pipeline into an RFC 9457
/// problem document, and logs one line per request (method, path, status, duration; the
/// request id is in the metadata). Errors that are not meant for the client become a 500
/// whose body says nothing of the cause; the cause is logged under the request id. One
/// middleware instead of two saves an asynchronous frame per request.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ZibriMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = await answer(request, context, next)
        metrics.httpRequest(method: request.method.rawValue, status: Int(response.status.code))
        guard context.logger.logLevel <= .info else { return response }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info(
            "\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds))ms")
        return response
    }

    private func answer(
        _ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response
    ) async -> Response {
        do {
            return try await next(request, context)
        } catch let problem as ProblemResponse {
            return problem.document.response(headers: problem.headers)
        } catch let refusal as Refusal {
            return refusal.problem.response()
        } catch let error as ZibriHTTPError {
            return ProblemDocument(error).response()
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let detail: String
            switch error.status {
            case .notFound: detail = "no route matches \(request.method) \(request.uri.path)"
            case .contentTooLarge: detail = "the body is larger than this route accepts"
            default: detail = error.body ?? error.status.reasonPhrase
            }
            return ProblemDocument(
                type: "about:blank", title: error.status.reasonPhrase, status: status, detail: detail
            )
            .response(headers: error.headers)
        } catch let error as HTTPParserError {
            // The request broke off (a body cut short by the client or by its deadline): the
            // client's doing, and nobody is left to read the answer.
            context.logger.debug("request cut short: \(error)")
            return ProblemDocument.badRequest("the request was cut short").response()
        } catch let error where ProblemDocument.storeFailure(error) != nil {
            context.logger.warning("request failed on the store: \(error)")
            return ProblemDocument.storeFailure(error)!.response(headers: [.retryAfter: "1"])
        } catch is CancellationError {
            // Cut off by a stop that ran out of `server.shutdownTimeout`.
            context.logger.warning("request cancelled: the server is stopping")
            return ProblemDocument.serviceUnavailable("the server is stopping").response()
        } catch {
            context.logger.error("request failed: \(error)", metadata: ["error.type": "\(type(of: error))"])
            return ProblemDocument.internalError(
                "the request failed; the server log has the details under request id \(context.id)"
            ).response()
        }
    }
}
