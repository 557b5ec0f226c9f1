import ZibriStorage
import ZibriValidation

/// Every problem the runtime answers with, over HTTP and WebSocket alike: one condition has one
/// `type` and one title whichever transport reports it (docs/http.md and docs/protocol.md list
/// them). A status whose meaning is all there is to say keeps `about:blank` (RFC 9457 §4.2.1).
extension ProblemDocument {
    static func unauthorized(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "urn:zibri:problem:unauthorized", title: "Unauthorized", status: 401, detail: detail)
    }

    static func forbidden(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "urn:zibri:problem:forbidden", title: "Forbidden", status: 403, detail: detail)
    }

    static func notFound(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "about:blank", title: "Not Found", status: 404, detail: detail)
    }

    static func methodNotAllowed(_ detail: String) -> ProblemDocument {
        ProblemDocument(
            type: "urn:zibri:problem:method-not-allowed", title: "Method Not Allowed", status: 405, detail: detail)
    }

    static func tooLarge(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "urn:zibri:problem:too-large", title: "Content Too Large", status: 413, detail: detail)
    }

    static func unsupportedMediaType(_ detail: String) -> ProblemDocument {
        ProblemDocument(
            type: "urn:zibri:problem:unsupported-media-type", title: "Unsupported Media Type", status: 415,
            detail: detail)
    }

    static func badRequest(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "about:blank", title: "Bad Request", status: 400, detail: detail)
    }

    static func malformedJSON(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "urn:zibri:problem:malformed-json", title: "Malformed JSON", status: 400, detail: detail)
    }

    /// A WebSocket frame that is not a message (not JSON, not an object, a wrong key).
    static func invalidMessage(_ detail: String) -> ProblemDocument {
        ProblemDocument(
            type: "urn:zibri:problem:invalid-message", title: "Invalid message", status: 400, detail: detail)
    }

    static func upgradeRequired(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "about:blank", title: "Upgrade Required", status: 426, detail: detail)
    }

    /// A message that was not handled because its session moved to another connection first:
    /// sending it again there is safe.
    static func notHandled(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "urn:zibri:problem:not-handled", title: "Not Handled", status: 409, detail: detail)
    }

    static func tooManyRequests(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "about:blank", title: "Too Many Requests", status: 429, detail: detail)
    }

    /// The server's fault; `detail` says nothing of the cause (that goes to the log).
    static func internalError(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "about:blank", title: "Internal Server Error", status: 500, detail: detail)
    }

    static func serviceUnavailable(_ detail: String) -> ProblemDocument {
        ProblemDocument(type: "about:blank", title: "Service Unavailable", status: 503, detail: detail)
    }

    /// A 503 for a request that failed on the store (down, too slow, full, damaged), whether
    /// the store's error reached the handler's caller as it is or as a send's `storage-failed`;
    /// nil for every other error. The client may try again later: the request did not fail
    /// for what it said. (An unknown connection is the caller's mistake, not the store's.)
    static func storeFailure(_ error: any Error) -> ProblemDocument? {
        if let error = error as? WebSocketError, error.code == "storage-failed" {
            return .serviceUnavailable("the store is unavailable: the message could not be logged")
        }
        guard let error = error as? StoreError, error.code != "unknown-connection" else { return nil }
        return .serviceUnavailable("the store is unavailable (\(error.code))")
    }

    /// The status a handler chose by throwing `ZibriHTTPError`.
    init(_ error: ZibriHTTPError) {
        self.init(type: error.type, title: error.title, status: error.status, detail: error.detail ?? error.title)
    }
}
