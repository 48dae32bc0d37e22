import Foundation
import KMIPEngine
import PostgresStore

/// Where the configuration's `"database"` points. A plain path (absolute, or relative to the
/// configuration file's folder) or `sqlite:PATH` is a SQLite store; `postgres://USER@HOST:PORT/DB` a
/// PostgreSQL store shared by a cluster; any other `scheme:` is refused by name rather than read as
/// a relative folder — `postgres://…` once became a folder `postgres:` holding a new, empty store.
enum StoreLocation: Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    init(_ configuration: Configuration) throws {
        try self.init(setting: configuration.database, source: "\"database\": \"\(configuration.database)\" in \(configuration.source)",
                      path: configuration.path)
    }

    /// `source` names the setting in messages; `path` resolves a relative file path.
    init(setting: String, source: String, path: (String) -> String) throws {
        func refuse(_ why: String) -> CLIError { CLIError("\(source): \(why)") }
        guard !setting.trimmingCharacters(in: .whitespaces).isEmpty else { throw refuse("empty") }
        if let scheme = Self.scheme(of: setting) {
            switch scheme.lowercased() {
            case "sqlite", "file":
                var rest = String(setting.dropFirst(scheme.count + 1))
                if rest.hasPrefix("//") { rest.removeFirst(2) }
                guard !rest.isEmpty else { throw refuse("no path after \(scheme):") }
                self = .sqlite(path: path(rest))
            case "postgres", "postgresql":
                do { self = .postgres(try PostgresLocation(url: setting)) } catch { throw refuse(error.message) }
            default:
                throw refuse("unknown scheme '\(scheme)' (a SQLite file path, or sqlite:PATH; write ./\(setting) for a file whose name has a colon)")
            }
        } else {
            self = .sqlite(path: path(setting))
        }
    }

    /// The URL scheme a setting starts with (RFC 3986 §3.1: a letter, then letters, digits, + - .), if any.
    static func scheme(of s: String) -> String? {
        guard let colon = s.firstIndex(of: ":") else { return nil }
        let head = s[..<colon]
        guard let first = head.first, first.isASCII, first.isLetter,
              head.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return String(head)
    }

    /// The file or URL, for messages.
    var name: String {
        switch self {
        case .sqlite(let p): p
        case .postgres(let l): l.description
        }
    }

    var isCluster: Bool { if case .postgres = self { true } else { false } }
}
