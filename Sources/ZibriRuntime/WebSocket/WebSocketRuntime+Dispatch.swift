import Foundation
import Logging
import ZibriSchema
import ZibriValidation

/// A client message's way to its handler: the route, auth and roles, validation, the handler,
/// its answer checked; and the built-in `ws:join` and `ws:leave`.
extension WebSocketRuntime {
    /// The result of a client message: the answer's data, or the problem to answer with.
    enum Outcome {
        case success(AnswerData)
        case failure(ProblemDocument)
    }

    func dispatch(_ frame: ClientFrame, context: WebSocketContext) async -> Outcome {
        let connection = context.connection
        let logger = context.logger
        let user = context.handshake.user
        if frame.event == "ws:join" || frame.event == "ws:leave" {
            return await joinOrLeave(frame, connection)
        }
        guard let route = routes[frame.event] else {
            metrics.receivedUnknown()
            return .failure(.notFound("unknown event '\(frame.event.prefix(60))'"))
        }
        route.metrics.received?.increment()
        do {
            try Authorizer.check(user, auth: route.auth, roles: route.roles, for: .event)
        } catch {
            return .failure(error.problem)
        }
        var body = frame.body
        if let validator = route.body {
            do {
                body = try validator.validate(body)
            } catch {
                route.metrics.validationFailures.increment()
                return .failure(ProblemDocument.validation(error.prefixed("/body")))
            }
        }
        let started = ContinuousClock.now
        defer { route.metrics.handlerDuration.record(duration: ContinuousClock.now - started) }
        do {
            let output = try await route.handler(body, context) ?? .value(.null)
            if let response = route.response, validateResponses {
                do {
                    _ = try response.validate(try output.json())
                } catch {
                    logger.error(
                        "handler '\(route.handlerName)' answered with data that does not match the route's response: \(error)"
                    )
                    return .failure(.internalError("the handler's answer is not valid"))
                }
            }
            return .success(output)
        } catch let error as ZibriHTTPError {
            return .failure(ProblemDocument(error))
        } catch let error where ProblemDocument.storeFailure(error) != nil {
            logger.warning("handler '\(route.handlerName)' failed on the store: \(error)")
            return .failure(ProblemDocument.storeFailure(error)!)
        } catch {
            logger.error("handler '\(route.handlerName)' failed for connection \(connection.id): \(error)")
            return .failure(.internalError("the handler failed"))
        }
    }

    private func joinOrLeave(_ frame: ClientFrame, _ connection: WebSocketConnection) async -> Outcome {
        guard case .string(let channel)? = frame.body["channel"] else {
            return .failure(
                ProblemDocument.validation(
                    ValidationFailure(problems: [
                        ValidationProblem(pointer: "/body/channel", code: "required", message: "is required")
                    ])))
        }
        guard let match = service.patterns.match(channel), clientJoinPatterns.contains(match.pattern) else {
            return .failure(.forbidden("clients may not join '\(channel.prefix(60))'"))
        }
        do {
            if frame.event == "ws:join", let policy = joinPolicies[match.pattern],
                try await !policy(connection, channel, match.parameters)
            {
                return .failure(.forbidden("the join policy refused '\(channel.prefix(60))'"))
            }
            if frame.event == "ws:join" {
                try await service.join(connection.id, channel: channel)
            } else {
                try await service.leave(connection.id, channel: channel)
            }
            return .success(.value(.null))
        } catch {
            return .failure(ProblemDocument.storeFailure(error) ?? .internalError("the join failed"))
        }
    }
}
