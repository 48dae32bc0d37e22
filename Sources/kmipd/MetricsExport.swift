import CoreMetrics
import Foundation
import HSMBackend
import KMIP
import KMIPEngine
import KMIPServer
import Prometheus
import Synchronization

/// The Prometheus side of kmipd's swift-metrics: the registry every counter and timer lands in, and
/// the gauges read when scraped (sessions in use, connections, objects by type and state).
final class MetricsExport: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let census = Mutex<(at: ContinuousClock.Instant?, seen: Set<[String]>)>((nil, []))
    /// Objects by type and state are counted in the store at most this often.
    static let censusInterval: Duration = .seconds(30)

    /// Bootstraps swift-metrics once per process (before the token opens: its calls are timed).
    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Token calls and store reads take tens of microseconds; handshakes and creates, milliseconds.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        CoreMetrics.Gauge(label: "kmipd_build_info", dimensions: [("version", ServerInfo().productVersion)]).record(1)
        CoreMetrics.Gauge(label: "kmipd_start_time_seconds").record(Date().timeIntervalSince1970)
    }

    /// The text a scrape gets, after reading the gauges that are sampled rather than counted.
    func scrape(token: PKCS11Token, server: KMIPServer, store: any AdministeredStore) async -> String {
        let sessions = token.sessionUsage
        CoreMetrics.Gauge(label: "kmipd_token_sessions_in_use").record(sessions.inUse)
        CoreMetrics.Gauge(label: "kmipd_token_sessions").record(sessions.total)
        let connections = server.connectionCounts
        CoreMetrics.Gauge(label: "kmipd_connections_open", dimensions: [("stage", "handshake")]).record(connections.handshaking)
        CoreMetrics.Gauge(label: "kmipd_connections_open", dimensions: [("stage", "established")]).record(connections.established)
        CoreMetrics.Gauge(label: "kmipd_draining").record(server.isDraining ? 1 : 0)
        await refreshCensus(store)
        return registry.emitToString()
    }

    private func refreshCensus(_ store: any AdministeredStore) async {
        let clock = ContinuousClock()
        let due = census.withLock { c in
            guard c.at.map({ clock.now - $0 >= Self.censusInterval }) ?? true else { return false }
            c.at = clock.now
            return true
        }
        guard due, let rows = try? await store.census() else { return }
        var now = Set<[String]>()
        for row in rows {
            let labels = [Self.snake(ObjectType(rawValue: row.objectType).name), Self.snake(State(rawValue: row.state).name)]
            now.insert(labels)
            CoreMetrics.Gauge(label: "kmipd_objects", dimensions: [("type", labels[0]), ("state", labels[1])]).record(row.count)
        }
        // A combination that has no objects any more reads 0, not its last count.
        let gone = census.withLock { c in defer { c.seen = now.union(c.seen) }; return c.seen.subtracting(now) }
        for labels in gone { CoreMetrics.Gauge(label: "kmipd_objects", dimensions: [("type", labels[0]), ("state", labels[1])]).record(0) }
    }

    static func snake(_ name: String) -> String { String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }) }
}
