import Foundation
import Metrics
package import Prometheus

/// The server's metrics, as swift-metrics objects made by a Prometheus factory over the
/// application's own registry (served at `server.metricsPath`). Each application has its own
/// registry: no process-wide bootstrap, so two applications in one process (tests, or a
/// program serving two specs) never mix their figures.
///
/// Labels come from the spec (route, handler and event names) or from small fixed sets
/// (results, reasons, statuses), never from what a client sends: an unknown event is counted
/// as `unknown`, so a client cannot grow the registry.
package final class ZibriMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    let connections: Meter
    let appendDuration: CoreMetrics.Timer
    let appendBatchSize: Recorder
    let appendFailures: Metrics.Counter
    let deliveryLag: CoreMetrics.Timer
    let outboundOverflows: Metrics.Counter

    /// The most distinct values one label may take; later values are counted as `other`.
    static let maxLabelValues = 500
    private let cache = LockedCache()
    /// HTTP request counters by method and status: at most 8 × 1000 of them.
    private let requestCounters = NumberedCounters()

    package init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["zibri_store_append_batch_size"] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        factory.durationHistogramBuckets["zibri_cluster_delivery_lag_seconds"] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        self.factory = factory
        connections = Meter(label: "zibri_websocket_connections", factory: factory)
        appendDuration = CoreMetrics.Timer(label: "zibri_store_append_duration_seconds", factory: factory)
        appendBatchSize = Recorder(label: "zibri_store_append_batch_size", aggregate: true, factory: factory)
        appendFailures = Metrics.Counter(label: "zibri_store_append_failures_total", factory: factory)
        deliveryLag = CoreMetrics.Timer(label: "zibri_cluster_delivery_lag_seconds", factory: factory)
        outboundOverflows = Metrics.Counter(label: "zibri_websocket_outbound_overflows_total", factory: factory)
    }

    /// The registry in Prometheus' text format.
    package func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        registry.emit(into: &buffer)
        return buffer
    }

    // MARK: Per route, made once at start-up

    /// The metrics of one route, made when the route table is built.
    struct RouteMetrics: Sendable {
        let validationFailures: Metrics.Counter
        let handlerDuration: CoreMetrics.Timer
        let received: Metrics.Counter?
    }

    func route(transport: String, name: String, handler: String) -> RouteMetrics {
        RouteMetrics(
            validationFailures: Metrics.Counter(
                label: "zibri_validation_failures_total", dimensions: [("transport", transport), ("route", name)],
                factory: factory),
            handlerDuration: CoreMetrics.Timer(
                label: "zibri_handler_duration_seconds", dimensions: [("handler", handler)], factory: factory),
            received: transport == "websocket"
                ? Metrics.Counter(
                    label: "zibri_websocket_messages_received_total", dimensions: [("event", name)], factory: factory)
                : nil)
    }

    // MARK: Labelled by a small set of values

    func connect(result: String) {
        counter("zibri_websocket_connects_total", "result", result).increment()
    }

    func disconnect(reason: String) {
        counter("zibri_websocket_disconnects_total", "reason", reason).increment()
    }

    func recovery(result: String) {
        counter("zibri_websocket_recoveries_total", "result", result).increment()
    }

    /// A client message whose event no route has (the event itself is not a label).
    func receivedUnknown() {
        counter("zibri_websocket_messages_received_total", "event", "unknown").increment()
    }

    /// A message the server sent (once, however many connections it reaches).
    func sent(event: String) {
        counter("zibri_websocket_messages_sent_total", "event", event).increment()
    }

    static let standardMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// A finished HTTP request; methods outside the standard ones count as `other`. Looked up by
    /// a number, not a string built per request: this runs for every request.
    func httpRequest(method: String, status: Int) {
        let methodIndex = Self.standardMethods.firstIndex(of: method) ?? Self.standardMethods.count
        let key = methodIndex &* 1000 &+ min(max(status, 0), 999)
        requestCounters.counter(key) { [factory] in
            let name = methodIndex < Self.standardMethods.count ? Self.standardMethods[methodIndex] : "other"
            return Metrics.Counter(
                label: "zibri_http_requests_total", dimensions: [("method", name), ("status", String(status))],
                factory: factory)
        }.increment()
    }

    private func counter(_ label: String, _ dimension: String, _ value: String) -> Metrics.Counter {
        cache.counter(label, value) { [factory] overflowing in
            Metrics.Counter(label: label, dimensions: [(dimension, overflowing ? "other" : value)], factory: factory)
        }
    }
}

/// Counters by a number, made on first use.
private final class NumberedCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var counters: [Int: Metrics.Counter] = [:]

    func counter(_ key: Int, make: () -> Metrics.Counter) -> Metrics.Counter {
        lock.withLock {
            if let counter = counters[key] { return counter }
            let counter = make()
            counters[key] = counter
            return counter
        }
    }
}

/// Counters by label value, made on first use, at most `ZibriMetrics.maxLabelValues` values
/// per label; the rest share one counter whose label value is `other`.
private final class LockedCache: @unchecked Sendable {
    private let lock = NSLock()
    private var counters: [String: Metrics.Counter] = [:]
    private var valuesPerLabel: [String: Int] = [:]

    func counter(_ label: String, _ value: String, make: (_ overflowing: Bool) -> Metrics.Counter) -> Metrics.Counter {
        lock.withLock {
            if let counter = counters["\(label)|\(value)"] { return counter }
            let overflowing = valuesPerLabel[label, default: 0] >= ZibriMetrics.maxLabelValues
            let key = overflowing ? "\(label)|\u{0}other" : "\(label)|\(value)"
            if let counter = counters[key] { return counter }
            let counter = make(overflowing)
            counters[key] = counter
            if !overflowing { valuesPerLabel[label, default: 0] += 1 }
            return counter
        }
    }
}
