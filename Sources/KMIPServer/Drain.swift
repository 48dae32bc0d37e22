import Logging
import NIOCore
import Synchronization

/// Graceful shutdown of the KMIP listener: readiness goes false at once, while the server goes on
/// serving for `drainDelay` (time for a load balancer to notice); then the listener closes and so
/// does every connection that is not serving a request; a connection that is closes right after its
/// answer is written. What is still running at the service group's deadline is cancelled.
final class Drain: Sendable {
    private struct State {
        /// Readiness is false.
        var draining = false
        /// The delay is over: no new connection or request is served.
        var closing = false
        var nextID = 0
        var connections: [Int: (channel: any Channel, busy: Bool)] = [:]
    }
    private let state = Mutex(State())

    var isDraining: Bool { state.withLock { $0.draining } }

    func begin(delay: Duration, listener: any Channel, logger: Logger) {
        state.withLock { $0.draining = true }
        Task {
            if delay > .zero { try? await Task.sleep(for: delay) }
            listener.close(promise: nil)
            let (idle, busy) = state.withLock { s in
                s.closing = true
                return (s.connections.values.filter { !$0.busy }.map(\.channel), s.connections.values.filter(\.busy).count)
            }
            logger.info("draining", metadata: ["idleConnectionsClosed": "\(idle.count)", "requestsInFlight": "\(busy)"])
            for c in idle { c.close(promise: nil) }
        }
    }

    /// Registers a connection about to be served; nil once the drain delay is over.
    func open(_ channel: any Channel) -> Int? {
        state.withLock { s in
            guard !s.closing else { return nil }
            s.nextID += 1
            s.connections[s.nextID] = (channel, false)
            return s.nextID
        }
    }

    /// A request is about to be served: false once the delay is over (it is not).
    func busy(_ id: Int) -> Bool {
        state.withLock { s in
            guard !s.closing else { return false }
            s.connections[id]?.busy = true
            return true
        }
    }

    /// Its answer was written: false once the delay is over (the connection then closes).
    func idle(_ id: Int) -> Bool {
        state.withLock { s in
            s.connections[id]?.busy = false
            return !s.closing
        }
    }

    func close(_ id: Int) { state.withLock { _ = $0.connections.removeValue(forKey: id) } }
}

/// Ids of request messages, unique across restarts: a random process prefix and a counter.
final class RequestIDs: Sendable {
    private let prefix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    private let counter = Atomic<UInt64>(0)
    func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "\(prefix)-\(String(n, radix: 16))"
    }
}
