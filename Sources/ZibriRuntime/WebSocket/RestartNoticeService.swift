import Foundation
import Logging
import NIOWebSocket
import ServiceLifecycle
import ZibriStorage

/// Closes every connection with 1012 (service restart) when the server is asked to stop, before
/// the HTTP server stops, and waits (a little) until they are gone: clients reconnect at once,
/// to another node, and recover. Connections that arrive meanwhile are closed the same way.
struct RestartNoticeService: Service {
    let live: LiveConnections
    /// The longest wait for the connections to go.
    let grace: Duration

    func run() async throws {
        try? await gracefulShutdown()
        live.closeAll(.unknown(1012), reason: "service restart", forever: true)
        let deadline = ContinuousClock.now + grace
        while live.count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
