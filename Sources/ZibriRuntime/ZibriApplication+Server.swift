import Foundation
package import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ZibriSchema
import ZibriStorage
import ZibriValidation

/// Assembly: the frozen route table, the router, the HTTP and WebSocket channel and the
/// services the WebSocket side runs, put together once when the server starts.
extension ZibriApplication {
    /// Checks the registrations and builds the Hummingbird application with the frozen route table.
    package func makeApplication() async throws -> some ApplicationProtocol {
        try checkGeneratedCode()
        var authenticator: JWTAuthenticator?
        if let jwt = compiled.spec.auth?.jwt {
            authenticator = try await JWTAuthenticator.make(settings: jwt, configuration: configuration)
        }
        let authorizer = Authorizer(authenticator: authenticator)
        let table = try RouteTableBuilder(
            compiled: compiled, http: http, websocket: websocket, policies: policies, metrics: metrics, logger: logger
        ).build(
            .init(
                service: websocketService, authorizer: authorizer, nodeID: nodeID, closeTimeout: closeTimeout,
                validateResponses: validateResponses))
        let runtime = HTTPRuntime(
            authorizer: authorizer, maxBodyBytes: compiled.spec.server.maxBodyBytes,
            validateResponses: validateResponses, websocket: websocketService)
        let router = HTTPRouterBuilder(
            spec: compiled.resolved, routes: table.http, runtime: runtime,
            endpoints: ObservabilityEndpoints(application: self).responders(), fileFolders: fileFolders,
            metrics: metrics, logger: logger
        ).build()
        let logger = self.logger
        let host = self.host
        let onListening = self.onListening
        let routeCount = table.http.count
        let sockets = table.websocket
        let channelConfiguration = self.channelConfiguration()
        let server = compiled.spec.server
        let connectionLimit = HTTPConnectionLimit(
            maximum: server.maxHTTPConnections ?? HTTPConnectionLimit.defaultMaximum())
        let headTimeout = TimeAmount.milliseconds(Int64(server.requestHeadTimeout.milliseconds))
        let bodyTimeout = TimeAmount.milliseconds(Int64(server.requestBodyTimeout.milliseconds))
        var application = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                GuardedWebSocketUpgradeChannel(
                    base: HTTP1WebSocketUpgradeChannel(
                        responder: responder, configuration: channelConfiguration
                    ) { request, channel, _ in
                        guard let sockets else { return .dontUpgrade }
                        let (path, query) = Self.splitTarget(request.path ?? "")
                        guard path == sockets.path else { return .dontUpgrade }
                        let admission = await sockets.admit(
                            headers: request.headerFields, query: query, host: request.authority)
                        return .upgrade([:]) { inbound, outbound, _ in
                            try await sockets.serve(
                                inbound: inbound, outbound: outbound, channel: channel, admission: admission)
                        }
                    }, limit: connectionLimit, headTimeout: headTimeout, bodyTimeout: bodyTimeout)
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Zibri"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("Zibri serving \(routeCount) routes on http://\(host):\(port)")
                await onListening?(port)
            },
            logger: logger
        )
        if let sockets {
            let store = websocketService.store
            let runnable = websocketService.opened.runnable
            let live = websocketService.live
            let health = websocketService.health
            let service = websocketService
            // Listed first, so that it is the last to stop (services stop in reverse order).
            if let runnable { application.addServices(StoreService(store: runnable)) }
            application.addServices(
                StoreHealthService(store: websocketService.opened.store, monitor: websocketService.health),
                websocketService.dispatcher,
                RetentionService(store: store, window: sockets.recovery.window, logger: logger))
            if let shared = websocketService.shared {
                application.addServices(
                    ClusterService(store: shared, websocket: websocketService, timing: clusterTiming, logger: logger))
            }
            // Once the store runs, before the first connection.
            application.beforeServerStarts {
                try await runnable?.prepare()
                // Sessions this node left connected when it last stopped (or crashed) have no socket.
                try await store.closeSessions(ofNode: sockets.nodeID, at: Date())
                service.note(epoch: try await store.logEpoch())
                live.start(at: try await store.lastSeq())
                health.storePrepared()
            }
        }
        return application
    }

    /// HTTP/1 with the spec's header limits, and the WebSocket settings.
    private func channelConfiguration() -> HTTP1WebSocketUpgradeChannel.Configuration {
        var webSocketConfiguration = WebSocketServerConfiguration()
        if let settings = compiled.spec.websocket {
            // HummingbirdWebSocket pings every period and closes (1001) a connection whose pong
            // has not come back by the next ping: one period is both interval and timeout, so
            // the shorter of the two is used and no connection outlives its timeout.
            let period = min(settings.heartbeatInterval.milliseconds, settings.heartbeatTimeout.milliseconds)
            // A client that does not answer a close is let go after the same time as ours
            // (HummingbirdWebSocket's default, 15 s, held up a stopping server that long).
            webSocketConfiguration = WebSocketServerConfiguration(
                maxFrameSize: settings.maxMessageBytes + 1,
                autoPing: .enabled(timePeriod: .milliseconds(period)),
                closeTimeout: closeTimeout,
                validateUTF8: true)
        }
        let server = compiled.spec.server
        return HTTP1WebSocketUpgradeChannel.Configuration(
            http1: HTTP1Channel.Configuration(
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: server.maxHeaderBytes, maxHeaderListSize: server.maxHeaderBytes,
                    maxHeaderFieldCount: server.maxHeaders)),
            ws: webSocketConfiguration)
    }

    /// `/ws?access_token=x` to `/ws` and its query.
    static func splitTarget(_ target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            if query[key] == nil { query[key] = value }
        }
        return (String(target[..<mark]), query)
    }
}
