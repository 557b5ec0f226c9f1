import Hummingbird
import Logging
import NIOCore
import ZibriExport
import ZibriSchema
import ZibriValidation

/// The Hummingbird router of a route table: the spec's routes, the OpenAPI document, the
/// observability endpoints, static files, and the answers for what no route has (405 with
/// `Allow` for a path that exists for other methods, 426 for the WebSocket path without an
/// upgrade), all inside `ProblemMiddleware`.
struct HTTPRouterBuilder {
    let spec: ResolvedSpec
    let routes: [CompiledRoute]
    let runtime: HTTPRuntime
    /// Served after the spec's routes, on paths no spec route takes for GET.
    let endpoints: [(String, ObservabilityEndpoints.Handler)]
    let fileFolders: [(folder: String, urlPath: String?)]
    let metrics: ZibriMetrics
    let logger: Logger

    func build() -> Router<BasicRequestContext> {
        let router = Router(options: [.autoGenerateHeadEndpoints])
        router.add(middleware: ProblemMiddleware(metrics: metrics))
        // Inside the problem middleware: a file answers what would otherwise be a 404.
        if !fileFolders.isEmpty { router.add(middleware: FilePathGuard()) }
        for (folder, urlPath) in fileFolders {
            router.add(
                middleware: FileMiddleware(folder, urlBasePath: urlPath, searchForIndexHtml: true, logger: logger))
        }
        var methods = MethodsByPath()
        for route in routes {
            router.on(
                RouterPath(route.path), method: route.method, responder: RouteResponder(route: route, runtime: runtime))
            methods.add(route.method, at: route.path)
        }
        if let path = spec.spec.server.openAPIPath {
            let document = ByteBuffer(string: OpenAPIExporter.document(for: spec).jsonText)
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: document))
            }
            methods.add(.get, at: path)
        }
        for (path, responder) in endpoints where !methods.has(.get, at: path) {
            router.get(RouterPath(path), use: responder)
            methods.add(.get, at: path)
        }
        // The WebSocket path reached as plain HTTP: a client that did not ask to upgrade, or one
        // that asked on a kept-alive connection (the upgrade is only possible on a connection's
        // first request, so Node's fetch pool makes this happen): 426, and the connection closes,
        // so that the client's next attempt gets a connection of its own.
        if let path = spec.spec.websocket?.path.value, !methods.has(.get, at: path) {
            let problem = ProblemDocument.upgradeRequired(
                "connect with a WebSocket upgrade, as the first request of a connection")
            router.get(RouterPath(path)) { _, _ in
                problem.response(headers: [.upgrade: "websocket", .connection: "close"])
            }
        }
        // A path that exists for other methods answers 405 with Allow, through the same router.
        let candidates: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options]
        for (path, var allowed) in methods.all {
            if allowed.contains(.get) { allowed.append(.head) }
            for method in candidates where !allowed.contains(method) {
                router.on(RouterPath(path), method: method, responder: MethodNotAllowedResponder(allowed: allowed))
            }
        }
        return router
    }

    /// The methods each path has, paths in the order they were first added.
    private struct MethodsByPath {
        private var methods: [String: [HTTPRequest.Method]] = [:]
        private var order: [String] = []

        mutating func add(_ method: HTTPRequest.Method, at path: String) {
            if methods[path] == nil { order.append(path) }
            methods[path, default: []].append(method)
        }

        func has(_ method: HTTPRequest.Method, at path: String) -> Bool {
            methods[path]?.contains(method) == true
        }

        var all: [(String, [HTTPRequest.Method])] { order.map { ($0, methods[$0]!) } }
    }
}
