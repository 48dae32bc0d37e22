import Foundation
import KMIPEngine
import Logging
import PostgresNIO
import StoreSQL

/// `ClusterLocks` on PostgreSQL session advisory locks, keyed by a 64-bit hash of the UID, all held on
/// one connection of this node's own. The in-process `ObjectLocks` is taken first, so a node asks for
/// an object at most once at a time. Waiting polls `pg_try_advisory_lock` (a blocking lock would
/// stall every other lock request queued on the connection). If the connection drops, PostgreSQL
/// releases its locks; the next request connects again.
public actor AdvisoryLocks: ClusterLocks {
    private let location: PostgresLocation
    private let password: String?
    private var connection: PostgresConnection?
    private var nextID = 0
    private let logger = Logger(label: "kmipd.postgres.locks")
    /// How long a change waits for another node's change to the same object.
    let patience: Duration

    public init(location: PostgresLocation, password: String?, patience: Duration = .seconds(20)) {
        self.location = location; self.password = password; self.patience = patience
    }

    public func acquire(_ uid: String) async throws(EngineError) {
        let start = ContinuousClock.now
        var pause = Duration.milliseconds(1)
        while true {
            if try await query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", uid) { return }
            guard ContinuousClock.now - start < patience else {
                throw EngineError(.generalFailure, "object \(uid) is being changed by another node for more than \(patience)")
            }
            do { try await Task.sleep(for: pause) } catch {
                throw EngineError(.generalFailure, "request cancelled while waiting for object \(uid)")
            }
            pause = min(pause * 2, .milliseconds(25))
        }
    }

    public func release(_ uid: String) async {
        _ = try? await query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", uid)
    }

    public func close() async {
        try? await connection?.close()
        connection = nil
    }

    /// One statement on the lock connection, within 5 s; a connection that misses it is dropped
    /// (PostgreSQL releases what it held) and the next call connects again.
    private func query(_ sql: String, _ uid: String) async throws(EngineError) -> Bool {
        let conn = try await open()
        let logger = self.logger
        do {
            return try await PostgresDatabase.answer(within: .seconds(5), location: location, {
                let rows = try await conn.query(PostgresDatabase.query(sql, [.text(uid)]), logger: logger).collect()
                return try rows.first?.decode(Bool.self) ?? false
            }, timedOut: { conn.close().whenComplete { _ in } })
        } catch {
            // Any failure ends this connection: its locks go with it, and the next call connects anew.
            if connection === conn { connection = nil }
            if !conn.isClosed { conn.close().whenComplete { _ in } }
            throw PostgresDatabase.wrap(error)
        }
    }

    private func open() async throws(EngineError) -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        nextID += 1
        do {
            var config = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                          password: password, database: location.database, tls: try location.connectionTLS())
            config.options.connectTimeout = .seconds(3)
            let c = try await PostgresConnection.connect(configuration: config, id: nextID, logger: logger)
            connection = c
            return c
        } catch { throw PostgresDatabase.wrap(error) }
    }
}
