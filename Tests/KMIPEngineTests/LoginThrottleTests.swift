import Foundation
import KMIP
import KMIPEngine
@testable import KMIPFiles
import KMIPTestSupport
import Testing

/// Username and Password checks (scrypt, 32 MiB and tens of milliseconds each) run on a bounded pool
/// of their own, never on the cooperative pool, and repeated failures are answered ever more slowly.
@Suite struct LoginThrottleTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func failuresSlowTheNextAttemptsDown() {
        let t = Throttle(), start = Date()
        let keys = ["user:alice", "cert:CN=app1"]
        #expect(t.delay(for: keys, now: start) == 0)
        for _ in 0..<Throttle.free { t.record(keys, now: start) }
        #expect(t.delay(for: keys, now: start) == 1)
        t.record(keys, now: start); t.record(keys, now: start)
        #expect(t.delay(for: keys, now: start) == 4)
        // Per username and per certificate: another certificate trying alice is slowed as well.
        #expect(t.delay(for: ["user:alice", "cert:CN=other"], now: start) == 4)
        #expect(t.delay(for: ["user:bob", "cert:CN=other"], now: start) == 0)
        for _ in 0..<20 { t.record(keys, now: start) }
        #expect(t.delay(for: keys, now: start) == Throttle.maxDelay)
        #expect(t.delay(for: keys, now: start.addingTimeInterval(Throttle.window + 1)) == 0, "a quiet window forgives")
        t.clear(keys)
        #expect(t.delay(for: keys, now: start) == 0, "a success clears")
    }

    /// Before, two logins at once held both threads of the cooperative pool (two cores here), and a
    /// request without any credential waited for them.
    @Test func scryptDoesNotHoldUpOtherRequests() async throws {
        let passwords = PasswordFile(users: ["alice": .init(scrypt: try PasswordFile.makeEntry(password: "right"))])
        let (engine, _, _) = try TestHSM.makeExecutor { $0.passwords = passwords }
        let order = Order()
        let logins = (0..<4).map { i in
            Task {
                var m = Req.message(.v1_4, [(.query, [])])
                m.header.authentication = UsernamePassword(username: "user\(i)", password: "wrong").authentication
                _ = await engine.execute(m, identity: "CN=c\(i)", now: now)
                order.add("login")
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        let plain = await engine.execute(Req.message(.v1_4, [(.discoverVersions, [])]), identity: "CN=plain", now: now)
        order.add("plain")
        for l in logins { await l.value }
        #expect(plain.first.resultStatus == .success)
        #expect(order.events.first == "plain", "\(order.events)")
    }
}
