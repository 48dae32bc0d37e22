import Foundation

/// Where the configuration's `"database"` points. A plain path (absolute, or relative to the
/// configuration file's folder) or `sqlite:PATH` is a SQLite store; any other `scheme:` is refused by
/// name rather than read as a relative folder — `postgres://…` once became a folder `postgres:`
/// holding a new, empty store.
enum StoreLocation: Equatable {
    case sqlite(path: String)

    init(_ configuration: Configuration) throws {
        let setting = configuration.database
        func refuse(_ why: String) -> CLIError { CLIError("\"database\": \"\(setting)\" in \(configuration.source): \(why)") }
        guard !setting.trimmingCharacters(in: .whitespaces).isEmpty else { throw refuse("empty") }
        if let scheme = Self.scheme(of: setting) {
            switch scheme.lowercased() {
            case "sqlite", "file":
                var rest = String(setting.dropFirst(scheme.count + 1))
                if rest.hasPrefix("//") { rest.removeFirst(2) }
                guard !rest.isEmpty else { throw refuse("no path after \(scheme):") }
                self = .sqlite(path: configuration.path(rest))
            case "postgres", "postgresql":
                throw refuse("PostgreSQL stores are not supported by this build; use a SQLite file path")
            default:
                throw refuse("unknown scheme '\(scheme)' (a SQLite file path, or sqlite:PATH; write ./\(setting) for a file whose name has a colon)")
            }
        } else {
            self = .sqlite(path: configuration.path(setting))
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

    var path: String { switch self { case .sqlite(let p): p } }
}
