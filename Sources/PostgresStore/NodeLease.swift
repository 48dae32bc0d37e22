import Foundation
import KMIPEngine
import Logging
import StoreSQL
import Synchronization

/// A node's claim to its name in the cluster: a row in `nodes` renewed every few seconds and valid
/// for `seconds` on the database's clock. Another node reconciles a node's intents only once its
/// lease has expired, so a create in flight on a live node is never undone. A node that starts
/// under a name still leased waits for the lease to run out — unless the holder was a process on
/// this very host that no longer exists (a restart after a crash), which it takes over at once.
public final class NodeLease: Sendable {
    public static let seconds: Int64 = 15
    let db: PostgresDatabase
    public let node: String
    let incarnation = UUID().uuidString.lowercased()
    let host: String
    private let heartbeat = LockedTask()
    let logger = Logger(label: "kmipd.cluster")

    public init(store: PostgresObjectStore) {
        db = store.db
        node = store.node
        host = ProcessInfo.processInfo.hostName
    }

    public struct Holder: Sendable, CustomStringConvertible {
        public var host: String, pid: Int64, leaseLeft: Int64
        public var description: String { "\(host) pid \(pid), lease for \(leaseLeft) s more" }
    }

    /// Claims the name, waiting up to `wait` for a live lease to expire; `onWait` is told who holds it.
    public func claim(wait: Duration = .seconds(NodeLease.seconds * 2), onWait: @Sendable (Holder) -> Void = { _ in }) async throws(EngineError) {
        let deadline = ContinuousClock.now + wait
        var told = false
        while true {
            let rows = try await db.rows("SELECT incarnation, host, pid, lease_until - \(PostgresDatabase.now) FROM nodes WHERE name = $1",
                                         [.text(node)])
            let current = try rows.first.map { row throws(EngineError) in
                do { return try row.decode((String, String, Int64, Int64).self) } catch { throw PostgresDatabase.wrap(error) }
            }
            if let (seen, holderHost, pid, left) = current {
                let crashedHere = holderHost == host && kill(pid_t(truncatingIfNeeded: pid), 0) != 0 && errno == ESRCH
                if left >= 0 && !crashedHere {
                    let holder = Holder(host: holderHost, pid: pid, leaseLeft: left)
                    guard ContinuousClock.now < deadline else {
                        throw EngineError(.storeFailure, "node name \"\(node)\" is held by \(holder): two nodes may not share a name")
                    }
                    if !told { onWait(holder); told = true }
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                if try await take(replacing: seen) { break }
            } else if try await take(replacing: nil) { break }
        }
        startHeartbeat()
    }

    /// Writes this process's claim if the row is still what was read (another claimant may have won).
    private func take(replacing seen: String?) async throws(EngineError) -> Bool {
        let args: [SQLValue] = [.text(node), .text(incarnation), .text(host), .int(Int64(getpid())), .int(Self.seconds)]
        let sql = seen == nil
            ? """
              INSERT INTO nodes (name, incarnation, host, pid, started_at, lease_until)
              VALUES ($1, $2, $3, $4, \(PostgresDatabase.now), \(PostgresDatabase.now) + $5) ON CONFLICT (name) DO NOTHING RETURNING name
              """
            : """
              UPDATE nodes SET incarnation = $2, host = $3, pid = $4, started_at = \(PostgresDatabase.now),
                  lease_until = \(PostgresDatabase.now) + $5 WHERE name = $1 AND incarnation = $6 RETURNING name
              """
        return !(try await db.rows(sql, seen.map { args + [.text($0)] } ?? args)).isEmpty
    }

    /// Renews the lease a third of its length before it runs out. A renewal that fails (the database
    /// restarting) is retried at the next beat; one that finds the name taken over is logged loudly.
    private func startHeartbeat() {
        let beat = Duration.seconds(Self.seconds / 3)
        heartbeat.replace(Task { [db, node, incarnation, logger] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: beat) } catch { return }  // released
                do {
                    let rows = try await db.rows("""
                        UPDATE nodes SET lease_until = \(PostgresDatabase.now) + $3 WHERE name = $1 AND incarnation = $2 RETURNING name
                        """, [.text(node), .text(incarnation), .int(Self.seconds)])
                    if rows.isEmpty { logger.critical("node name taken over by another process", metadata: ["node": "\(node)"]) }
                } catch {
                    logger.warning("lease renewal failed", metadata: ["node": "\(node)", "error": "\(PostgresDatabase.wrap(error).message)"])
                }
            }
        })
    }

    /// Gives the name up at a clean stop: the node's intents are at once another node's to reconcile.
    public func release() async {
        heartbeat.replace(nil)
        _ = try? await db.rows("UPDATE nodes SET lease_until = 0 WHERE name = $1 AND incarnation = $2", [.text(node), .text(incarnation)])
    }

    /// The nodes that hold a lease now.
    public static func live(_ store: PostgresObjectStore) async throws(EngineError) -> [String] {
        try await store.strings("SELECT name FROM nodes WHERE lease_until >= \(PostgresDatabase.now) ORDER BY name")
    }
}

/// One background task, replaced or cancelled under a lock.
final class LockedTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    func replace(_ new: Task<Void, Never>?) {
        task.withLock { old in old?.cancel(); old = new }
    }
}
