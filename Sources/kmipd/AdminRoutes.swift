import Foundation
import HSMBackend
import KMIPEngine
import KMIPServer
import Synchronization

/// What the admin listener answers (`AdminServer`): metrics, liveness, readiness and the last reload.
struct AdminRoutes {
    let runtime: Runtime
    let server: KMIPServer
    let metrics: MetricsExport
    let reloader: Reloader

    var routes: [String: AdminServer.Route] {
        let runtime = self.runtime, server = self.server, metrics = self.metrics, reloader = self.reloader
        let readiness = Readiness(runtime: runtime, server: server)
        return [
            "/metrics": {
                AdminServer.Answer(.ok, await metrics.scrape(token: runtime.token, server: server, store: runtime.store),
                                   contentType: "text/plain; version=0.0.4; charset=utf-8")
            },
            "/healthz": { AdminServer.Answer(.ok, "ok\n") },
            "/readyz": { await readiness.answer() },
            "/reload": {
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let body = (try? enc.encode(reloader.status)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                return AdminServer.Answer(.ok, body + "\n", contentType: "application/json")
            },
        ]
    }
}

/// `/readyz`: 200 when the token's session is logged in, the store answers and the server is not
/// draining; 503 with the first reason otherwise. Each check is bounded (a hung token or database
/// makes the answer "not ready", never a hung probe).
final class Readiness: Sendable {
    let runtime: Runtime
    let server: KMIPServer
    private let cached = Mutex<(at: ContinuousClock.Instant, answer: AdminServer.Answer)?>(nil)
    static let reuse: Duration = .seconds(1)
    static let checkTimeout: Duration = .seconds(3)

    init(runtime: Runtime, server: KMIPServer) { self.runtime = runtime; self.server = server }

    func answer() async -> AdminServer.Answer {
        if server.isDraining { return AdminServer.Answer(.serviceUnavailable, "not ready: draining (shutting down)\n") }
        let clock = ContinuousClock()
        if let c = cached.withLock({ $0 }), clock.now - c.at < Self.reuse { return c.answer }
        let answer: AdminServer.Answer
        if let problem = await check() { answer = AdminServer.Answer(.serviceUnavailable, "not ready: \(problem)\n") }
        else { answer = AdminServer.Answer(.ok, "ready\n") }
        cached.withLock { $0 = (clock.now, answer) }
        return answer
    }

    private func check() async -> String? {
        let token = runtime.token, store = runtime.store
        if let p = await bounded("token", { try await token.probe() }) { return p }
        if let p = await bounded("store", { _ = try await store.identity() }) { return p }
        return nil
    }

    /// nil when `body` succeeds within the timeout; otherwise what failed. The check runs in a task
    /// of its own: one that never returns (a hung token) is left behind, not waited for.
    private func bounded(_ what: String, _ body: @escaping @Sendable () async throws -> Void) async -> String? {
        final class Once: Sendable { let done = Mutex(false) }
        let once = Once()
        return await withCheckedContinuation { (c: CheckedContinuation<String?, Never>) in
            @Sendable func finish(_ result: String?) {
                if once.done.withLock({ done in defer { done = true }; return !done }) { c.resume(returning: result) }
            }
            let work = Task {
                do { try await body(); finish(nil) } catch { finish("\(what): \(error)") }
            }
            Task {
                try? await Task.sleep(for: Self.checkTimeout)
                finish("\(what): no answer within \(Self.checkTimeout)")
                work.cancel()
            }
        }
    }
}
