import Foundation
import KMIPEngine
import Logging
import PostgresNIO
import PostgresStore
import Store

/// The two stores the store-port tests run against. PostgreSQL is tested when
/// `KMIPD_TEST_POSTGRES` names a server (`postgres://USER@127.0.0.1:PORT/postgres?sslmode=disable`,
/// set by `scripts/test`, which starts one); each store gets a database of its own there.
public enum StoreBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// The admin URL of the test PostgreSQL server, if any.
    public static var postgresAdmin: String? { ProcessInfo.processInfo.environment["KMIPD_TEST_POSTGRES"] }

    /// SQLite always; PostgreSQL when a server is given.
    public static var available: [StoreBackend] { postgresAdmin == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A new, empty store.
    public func make() async throws -> any AdministeredStore {
        switch self {
        case .sqlite: return try SQLiteObjectStore(path: TestHSM.databasePath(), mode: .create)
        case .postgres: return try await PostgresObjectStore(location: try Self.newDatabase(), password: nil, node: "a", mode: .create)
        }
    }

    /// A database of its own on the test server.
    public static func newDatabase() async throws -> PostgresLocation {
        guard let admin = postgresAdmin else { throw EngineError(.storeFailure, "KMIPD_TEST_POSTGRES is not set") }
        var location = try PostgresLocation(url: admin)
        let name = "kmipd_t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let client = PostgresClient(configuration: .init(host: location.host, port: location.port, username: location.user,
                                                         password: nil, database: location.database, tls: .disable))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        location.database = name
        return location
    }
}
