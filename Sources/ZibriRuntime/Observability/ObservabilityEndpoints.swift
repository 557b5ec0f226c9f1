import Foundation
import Hummingbird
import NIOCore
import ZibriValidation

/// `server.metricsPath`, `healthPath` and `readyPath`: what a Prometheus server, a load
/// balancer and an orchestrator ask. A spec route on the same path wins over them.
struct ObservabilityEndpoints {
    let metrics: ZibriMetrics
    let service: WebSocketService
    let settings: (metrics: String?, health: String?, ready: String?)

    /// How long the store may take to answer a readiness check.

    init(application: ZibriApplication) {
        metrics = application.metrics
        service = application.websocketService
        let server = application.compiled.spec.server
        settings = (server.metricsPath, server.healthPath, server.readyPath)
    }

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    func responders() -> [(String, Handler)] {
        var responders: [(String, Handler)] = []
        if let path = settings.metrics {
            responders.append(
                (
                    path,
                    { [metrics] _, _ in
                        Response(
                            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
                    }
                ))
        }
        if let path = settings.health {
            responders.append((path, { _, _ in Self.json(.ok, #"{"status":"ok"}"#) }))
        }
        if let path = settings.ready {
            responders.append((path, { [service] _, _ in await Self.readiness(of: service) }))
        }
        return responders
    }

    /// 200 when the store answers and the server is not stopping; 503 (a problem document
    /// saying why) otherwise, so a load balancer sends traffic elsewhere. It never waits on the
    /// store: `StoreHealthService` probes it four times a second, so a store that fails or stops
    /// answering shows here within a second.
    static func readiness(of service: WebSocketService) async -> Response {
        if service.live.isStopping {
            return unavailable("the server is stopping")
        }
        if case .unavailable(let reason) = service.health.status {
            return unavailable("the store is not reachable: \(reason)")
        }
        return json(.ok, #"{"status":"ready"}"#)
    }

    static func unavailable(_ detail: String) -> Response {
        ProblemDocument.serviceUnavailable(detail).response()
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
