import Foundation
import KMIPEngine
import Logging
import NIOCore
import PostgresNIO
import StoreSQL
import Synchronization

/// postgres-nio's client, run for the life of the store, with the statement helpers the PostgreSQL
/// store uses. Connections are made on demand and again after PostgreSQL restarts; a statement that
/// cannot be done within the deadline fails with a store error instead of waiting, and the client
/// that missed it is replaced by a fresh one (a pool once stayed stuck after a restart, measured in
/// the cluster tests: every later request waited for it).
final class PostgresDatabase: Sendable {
    private struct Current { var client: PostgresClient; var runner: Task<Void, Never>; var generation: Int }
    private let current: Mutex<Current>
    let location: PostgresLocation
    let password: String?
    let logger = Logger(label: "kmipd.postgres")
    let deadline = Duration.seconds(5)
    private let configuration: PostgresClient.Configuration

    init(location: PostgresLocation, password: String?, maximumConnections: Int = 16) {
        self.location = location
        self.password = password
        var config = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                  password: password, database: location.database, tls: location.clientTLS)
        config.options.maximumConnections = maximumConnections
        // A new PostgreSQL backend plans its first statements several times slower than a warm one
        // (measured: 2.2 ms against 0.4 ms for a Locate): keep a few connections open, and long.
        config.options.minimumConnections = min(4, maximumConnections)
        config.options.connectionIdleTimeout = .seconds(600)
        config.options.connectTimeout = .seconds(3)
        configuration = config
        let client = PostgresClient(configuration: config)
        current = Mutex(Current(client: client, runner: Task { await client.run() }, generation: 0))
    }

    func close() { current.withLock { $0.runner.cancel() } }

    /// A statement's rows, collected.
    func rows(_ sql: String, _ args: [SQLValue] = []) async throws(EngineError) -> [PostgresRow] {
        do {
            return try await withDeadline(deadline) { client in try await client.query(Self.query(sql, args)).collect() }
        } catch { throw Self.wrap(error) }
    }

    /// Statements in one transaction on one connection; rolled back if the body throws. `deadline`:
    /// a request's (the default), or longer for an operator's bulk work (`kmipd store copy`, `populate`).
    func transaction<T: Sendable>(deadline: Duration? = nil, _ body: @escaping @Sendable (Transaction) async throws -> T) async throws(EngineError) -> T {
        let logger = self.logger
        do {
            return try await withDeadline(deadline ?? self.deadline) { client in
                try await client.withTransaction(logger: logger) { conn in try await body(Transaction(connection: conn, logger: logger)) }
            }
        } catch { throw Self.wrap(error) }
    }

    /// Runs `body` on the current client within `deadline`; a client that misses it is replaced.
    private func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let (client, generation) = current.withLock { ($0.client, $0.generation) }
        return try await Self.answer(within: deadline, location: location, { try await body(client) },
                                     timedOut: { [weak self] in self?.replaceClient(ifStill: generation) })
    }

    /// Answers within `deadline` whatever `body` does: the body runs in a task of its own that is never
    /// awaited past the deadline (a task group would wait for a statement stuck in the pool; cancelling
    /// it did not always end it). The timer is cancelled as soon as the body answers.
    static func answer<T: Sendable>(within deadline: Duration, location: PostgresLocation, _ body: @escaping @Sendable () async throws -> T,
                                    timedOut: @escaping @Sendable () -> Void) async throws -> T {
        let answered = Once()
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            let timer = Task {
                try? await Task.sleep(for: deadline)
                guard answered.claim() else { return }
                timedOut()
                cont.resume(throwing: EngineError(.storeFailure,
                    "PostgreSQL at \(location.host):\(location.port) did not answer within \(deadline) (is it running, and are the host, port and user right?)"))
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                if answered.claim() { timer.cancel(); cont.resume(with: result) }
            }
        }
    }

    /// The first of two racing tasks to claim it answers.
    final class Once: Sendable {
        private let done = Mutex(false)
        func claim() -> Bool { done.withLock { d in defer { d = true }; return !d } }
    }

    /// A new client in place of one that missed a deadline (once per generation, however many
    /// requests missed it together); the old one is stopped.
    private func replaceClient(ifStill generation: Int) {
        let config = configuration
        current.withLock { c in
            guard c.generation == generation else { return }
            c.runner.cancel()
            let client = PostgresClient(configuration: config)
            c = Current(client: client, runner: Task { await client.run() }, generation: generation + 1)
        }
    }

    struct Transaction: Sendable {
        let connection: PostgresConnection
        let logger: Logger
        @discardableResult
        func rows(_ sql: String, _ args: [SQLValue] = []) async throws -> [PostgresRow] {
            try await connection.query(PostgresDatabase.query(sql, args), logger: logger).collect()
        }
    }

    static func query(_ sql: String, _ args: [SQLValue]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: args.count)
        for a in args {
            switch a {
            case .int(let i): binds.append(i)
            case .text(let t): binds.append(t)
            case .blob(let b): binds.append(ByteBuffer(bytes: b))
            case .null: binds.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// One readable line: PostgreSQL's own message and SQLSTATE, or why it could not be reached.
    static func wrap(_ error: any Error) -> EngineError {
        if let e = error as? EngineError { return e }
        if error is CancellationError { return EngineError(.generalFailure, "request cancelled before its write was made") }
        if let p = error as? PSQLError {
            if let message = p.serverInfo?[.message] {
                return EngineError(.storeFailure, "PostgreSQL: \(message) (SQLSTATE \(p.serverInfo?[.sqlState] ?? "?"))")
            }
            let cause = p.underlying.map { "\($0)" } ?? "\(p.code)"
            return EngineError(.storeFailure, "PostgreSQL unavailable: \(cause)")
        }
        return EngineError(.storeFailure, "PostgreSQL: \(error)")
    }

    /// The database's clock in seconds: leases compare against one clock, never the nodes' own.
    static let now = "extract(epoch from clock_timestamp())::bigint"
}
