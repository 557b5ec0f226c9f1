import Foundation
import Hummingbird
import NIOCore
import ZibriSchema
import ZibriValidation

/// The request pipeline of one spec route: authenticate, read and validate, call the
/// developer's handler, encode (and, if configured, validate) the answer.
struct RouteResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let route: CompiledRoute
    let runtime: HTTPRuntime

    func respond(to request: Request, context: Context) async throws -> Response {
        // Most routes need no user: skip the asynchronous step entirely for them.
        let user = route.auth == .none && route.roles.isEmpty ? nil : try await authorize(request)
        var problems: [ValidationProblem] = []
        var truncated = false
        func collect(_ work: () throws(ValidationFailure) -> JSONValue) -> JSONValue {
            do {
                return try work()
            } catch {
                problems += error.problems
                truncated = truncated || error.truncated
                return .object([:])
            }
        }
        // Routes declare few parameters; skip reading the request's where none are declared.
        let empty = JSONValue.object([:])
        let params =
            route.params.isEmpty
            ? empty : collect { () throws(ValidationFailure) in try route.params.validate(pathParameters(context)) }
        let query =
            route.query.isEmpty
            ? empty : collect { () throws(ValidationFailure) in try route.query.validate(queryParameters(request)) }
        let headers =
            route.headers.isEmpty
            ? empty : collect { () throws(ValidationFailure) in try route.headers.validate(headerValues(request)) }
        var body: JSONValue?
        if let validator = route.body {
            let parsed = try await readJSONBody(request)
            body = collect { () throws(ValidationFailure) in
                do throws(ValidationFailure) {
                    return try validator.validate(parsed)
                } catch {
                    throw error.prefixed("/body")
                }
            }
        }
        guard problems.isEmpty else {
            route.metrics.validationFailures.increment()
            throw ProblemResponse(.validation(ValidationFailure(problems: problems, truncated: truncated)))
        }
        let values = RequestValues(
            body: body, params: params, query: query, headers: headers, user: user)
        let started = ContinuousClock.now
        defer { route.metrics.handlerDuration.record(duration: ContinuousClock.now - started) }
        let output = try await route.handler(values, HTTPContext(logger: context.logger, websocket: runtime.websocket))
        return try encode(output, context: context)
    }

    private func authorize(_ request: Request) async throws(Refusal) -> User? {
        let user = try await runtime.authorizer.user(authorization: request.headers[.authorization])
        try Authorizer.check(user, auth: route.auth, roles: route.roles, for: .route)
        return user
    }

    private func pathParameters(_ context: Context) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for parameter in route.params.names {
            if let value = context.parameters.get(parameter) {
                values[parameter] = [value.removingPercentEncoding ?? value]
            }
        }
        return values
    }

    private func queryParameters(_ request: Request) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for (key, value) in request.uri.queryParameters {
            values[String(key), default: []].append(String(value))
        }
        return values
    }

    private func headerValues(_ request: Request) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for field in request.headers {
            values[field.name.canonicalName, default: []].append(field.value)
        }
        return values
    }

    /// The body as JSON: 415 unless it says it is JSON, 413 past the limit (counted while it
    /// streams in), 400 when it does not parse.
    private func readJSONBody(_ request: Request) async throws -> JSONValue {
        if let contentType = request.headers[.contentType] {
            let mediaType = Self.mediaType(contentType)
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                throw ProblemResponse(.unsupportedMediaType("the body must be application/json, not \(mediaType)"))
            }
        } else if request.headers[.contentLength].flatMap(Int.init) ?? 0 > 0 {
            throw ProblemResponse(.unsupportedMediaType("the body must be sent as application/json"))
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > runtime.maxBodyBytes {
            throw Self.tooLarge(runtime.maxBodyBytes)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: runtime.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(runtime.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            // What a streamed body without a Content-Length (chunked) throws at the limit.
            throw Self.tooLarge(runtime.maxBodyBytes)
        }
        do {
            return try buffer.withUnsafeReadableBytes { (bytes) throws(JSONParseError) in try JSONParser().parse(bytes)
            }
        } catch {
            throw ProblemResponse(
                .malformedJSON(
                    buffer.readableBytes == 0
                        ? "the body is empty; this route needs a JSON body" : "the body is not valid JSON: \(error)"))
        }
    }

    /// `application/json` of `Application/JSON; charset=utf-8`: the part before any `;`, without
    /// spaces and tabs around it, in lower case. Byte by byte, without Foundation: every request
    /// with a body comes through here.
    static func mediaType(_ contentType: String) -> String {
        var bytes = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }[...]
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            bytes = bytes.dropFirst()
        }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            bytes = bytes.dropLast()
        }
        return String(decoding: bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func tooLarge(_ limit: Int) -> ProblemResponse {
        ProblemResponse(.tooLarge("the body is larger than \(limit) bytes"))
    }

    private func encode(_ output: HandlerOutput, context: Context) throws -> Response {
        guard route.response != nil else {
            return Response(status: route.status == .ok ? .noContent : route.status)
        }
        let bytes: ByteBuffer
        switch output {
        case .noContent:
            return Response(status: .noContent)
        case .value(let value):
            try checkResponse(value, context: context)
            bytes = ByteBuffer(string: value.jsonText)
        case .encoded(let encoded):
            if runtime.validateResponses {
                try checkResponse(try JSONParser().parse(encoded), context: context)
            }
            bytes = ByteBuffer(bytes: encoded)
        }
        return Response(
            status: route.status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: bytes))
    }

    /// A response that breaks its schema is the server's bug: a 500 for the client, the pointer
    /// in the log.
    private func checkResponse(_ value: JSONValue, context: Context) throws {
        guard runtime.validateResponses, let validator = route.response else { return }
        do {
            _ = try validator.validate(value)
        } catch {
            context.logger.error(
                "handler '\(route.handlerName)' returned a response that breaks the spec: \(error.problems.map(\.description).joined(separator: "; "))"
            )
            throw ResponseMismatch()
        }
    }
}
