import Foundation
import Synchronization

/// Operations per second and latency percentiles of one benchmark run (nearest-rank percentiles).
struct LatencyStats: Codable, Sendable {
    var server: String
    var operation: String
    var connections: Int
    var operations: Int
    var errors: Int
    var seconds: Double
    var opsPerSecond: Double
    var p50ms: Double
    var p99ms: Double
    var p999ms: Double
    var firstError: String?
    /// CPU microseconds per completed operation: the load generator's, and the server's when its
    /// process id was given (same machine).
    var clientCPUMicrosPerOp: Double?
    var serverCPUMicrosPerOp: Double?

    init(server: String, operation: String, connections: Int, latenciesNs: [UInt64], errors: Int, seconds: Double, firstError: String?) {
        let sorted = latenciesNs.sorted()
        func pct(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let i = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
            return Double(sorted[i]) / 1e6
        }
        self.server = server; self.operation = operation; self.connections = connections
        operations = sorted.count; self.errors = errors; self.seconds = seconds
        opsPerSecond = seconds > 0 ? Double(sorted.count) / seconds : 0
        p50ms = pct(0.50); p99ms = pct(0.99); p999ms = pct(0.999); self.firstError = firstError
    }

    static let header = "server     operation       " + [("conns", 6), ("ops", 8), ("ops/s", 10), ("p50 ms", 9), ("p99 ms", 9),
                                                              ("p99.9 ms", 9), ("errors", 6),
                                                              ("cli µs/op", 9), ("srv µs/op", 9)]
        .map { String(repeating: " ", count: $0.1 - $0.0.count) + $0.0 }.joined(separator: " ")
    var row: String {
        server.padding(toLength: max(10, server.count), withPad: " ", startingAt: 0) + " " + operation.padding(toLength: 15, withPad: " ", startingAt: 0)
            + String(format: " %6d %8d %10.1f %9.2f %9.2f %9.2f %6d", connections, operations, opsPerSecond, p50ms, p99ms, p999ms, errors)
            + " " + Self.micros(clientCPUMicrosPerOp) + " " + Self.micros(serverCPUMicrosPerOp)
    }
    static func micros(_ v: Double?) -> String {
        let text = v.map { String(format: "%.0f", $0) } ?? "–"
        return String(repeating: " ", count: max(0, 9 - text.count)) + text
    }
}

/// Hands out the operations of a run: at most `count`, and none after `deadline`.
final class WorkQueue: @unchecked Sendable {
    private let counts: Mutex<(left: Int, done: Int)>
    private let deadline: ContinuousClock.Instant
    init(count: Int, seconds: Double) {
        counts = Mutex((count, 0))
        deadline = .now + .milliseconds(Int64(seconds * 1000))
    }
    func claim() -> Bool {
        counts.withLock { c in
            guard c.left > 0, ContinuousClock.now < deadline else { return false }
            c.left -= 1
            return true
        }
    }
    func finished() { counts.withLock { $0.done += 1 } }
    var completed: Int { counts.withLock { $0.done } }
}
