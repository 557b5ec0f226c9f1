import Hummingbird
import ZibriValidation

/// An error that already knows its problem document; thrown inside the request pipeline and
/// rendered by `ProblemMiddleware`.
struct ProblemResponse: Error {
    var document: ProblemDocument
    var headers: HTTPFields

    init(_ document: ProblemDocument, headers: HTTPFields = [:]) {
        self.document = document
        self.headers = headers
    }
}

extension ProblemDocument {
    /// `application/problem+json`, with the document as body; a 401 says how to authenticate
    /// (`WWW-Authenticate: Bearer`, RFC 6750 §3).
    func response(headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == 401, extra[.wwwAuthenticate] == nil { headers[.wwwAuthenticate] = "Bearer" }
        headers.append(contentsOf: extra)
        let bytes = ByteBuffer(string: json.jsonText)
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: bytes))
    }
}
