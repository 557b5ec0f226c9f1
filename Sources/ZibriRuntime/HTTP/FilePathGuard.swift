import Foundation
import Hummingbird

/// In front of `FileMiddleware`: a path whose decoded form holds a NUL or another control
/// character names no file, but the file system stops at the NUL, so `/index.html%00.js` would
/// be served `index.html` (with the type of a script). Such a path is a 400.
struct FilePathGuard<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        let path = request.uri.path
        if path.utf8.contains(UInt8(ascii: "%")), let decoded = path.removingPercentEncoding,
            decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            throw ProblemResponse(.badRequest("the path holds a control character"))
        }
        return try await next(request, context)
    }
}
