import Foundation
import KMIPEngine
import PostgresNIO

/// Where a PostgreSQL store is: `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`.
/// The password is never part of the setting (a configuration file is read by more people than the
/// database's owner): it comes from `KMIPD_DATABASE_PASSWORD` or the file `passwordFile` names.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode

    public enum TLSMode: String, Sendable { case disable, prefer, require }

    /// The environment variable that may hold the database password.
    public static let passwordEnvironment = "KMIPD_DATABASE_PASSWORD"

    /// Parses the setting; every refusal says what is wrong in one line.
    public init(url: String) throws(EngineError) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw EngineError(.storeFailure, "not a postgres:// URL")
        }
        guard c.password == nil else {
            throw EngineError(.storeFailure, "the URL holds a password: put it in \(Self.passwordEnvironment) or the databasePasswordFile setting instead")
        }
        guard let host = c.host, !host.isEmpty else { throw EngineError(.storeFailure, "no host in the URL") }
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !db.isEmpty, !db.contains("/") else { throw EngineError(.storeFailure, "no database name after the host (postgres://user@host:5432/kmipd)") }
        guard let user = c.user, !user.isEmpty else { throw EngineError(.storeFailure, "no user in the URL (postgres://user@host:5432/kmipd)") }
        if let port = c.port, !(1...65535).contains(port) { throw EngineError(.storeFailure, "port \(port) is out of range") }
        var tls = TLSMode.prefer
        for item in c.queryItems ?? [] {
            guard item.name == "sslmode", let v = item.value, let mode = TLSMode(rawValue: v) else {
                throw EngineError(.storeFailure, "unknown URL parameter \(item.name) (only sslmode=disable|prefer|require)")
            }
            tls = mode
        }
        self.user = user; self.host = host; self.port = c.port ?? 5432; self.database = db; self.tls = tls
    }

    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// The password: the environment variable, else the file (first line), else none (trust or peer
    /// authentication on the database's side).
    public static func password(file: String?) throws(EngineError) -> String? {
        if let env = ProcessInfo.processInfo.environment[passwordEnvironment], !env.isEmpty { return env }
        guard let file else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw EngineError(.storeFailure, "cannot read the database password file \(file)")
        }
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    }

    var clientTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(try .init(configuration: .makeClientConfiguration()))
        case .require: .require(try .init(configuration: .makeClientConfiguration()))
        }
    }
}
