import ArgumentParser
import Foundation
import KMIP
import KMIPEngine

/// `kmipd objects list|show`: the inventory for the operator on the box, read from the store
/// directly (no client certificate, no token, nothing changed). A table on a terminal, JSON otherwise.
struct ObjectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "objects", abstract: "List and show managed objects (read-only).",
                                                    subcommands: [List.self, Show.self])

    /// One row of the inventory: what an operator asks first about a key.
    struct Row: Codable {
        var uid: String
        var type: String
        var state: String
        var name: String?
        var owner: String
        var algorithm: String?
        var length: Int?
        var activationDate: String?
        var deactivationDate: String?
        var inToken: Bool

        init(_ o: ManagedObject) {
            uid = o.uid; type = o.objectType.name; state = o.state.name; name = o.name; owner = o.owner
            algorithm = o.cryptographicAlgorithm?.name; length = o.cryptographicLength
            activationDate = o.date(.activationDate).map(ISODate.format); deactivationDate = o.date(.deactivationDate).map(ISODate.format)
            inToken = o.tokenObject != nil
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Objects in the store, newest first.", discussion: """
            Examples:
              kmipd objects list --config /etc/kmipd/kmipd.json --type symmetric-key --state active
              kmipd objects list --expiring-within 30 --json
            """)
        @OptionGroup var options: ConfigOption
        @Option(help: "Object Type, e.g. symmetric-key, private-key, certificate.") var type: String?
        @Option(help: "State, e.g. pre-active, active, deactivated, compromised, destroyed.") var state: String?
        @Option(help: "Only objects this identity owns (a certificate subject, user or group:NAME).") var owner: String?
        @Option(help: "Only objects whose Deactivation Date falls within this many days from now.") var expiringWithin: Int?
        @Option(help: "At most this many objects.") var limit = 1000
        @Flag(help: "JSON even on a terminal.") var json = false

        func run() async throws {
            let config = try options.load()
            var filters: [Attribute] = []
            if let type {
                guard let t = ObjectType(named: type) else { throw ValidationError("unknown object type \(type) (e.g. symmetric-key, private-key)") }
                filters.append(Attribute(.objectType, .enumeration(t.rawValue)))
            }
            if let state {
                guard let s = State(named: state) else { throw ValidationError("unknown state \(state) (e.g. active, pre-active, deactivated)") }
                filters.append(Attribute(.state, .enumeration(s.rawValue)))
            }
            let now = Int64(Date().timeIntervalSince1970)
            if let days = expiringWithin {
                guard (0...36_500).contains(days) else { throw ValidationError("--expiring-within takes 0 to 36500 days") }
                // Two values of one date attribute are a range (KMIP 2.1 §6.1.28).
                filters += [Attribute(.deactivationDate, .dateTime(now)), Attribute(.deactivationDate, .dateTime(now + Int64(days) * 86_400))]
            }
            guard (1...1_000_000).contains(limit) else { throw ValidationError("--limit takes 1 to 1000000") }
            let rows = try await StoreLocation(config).withStore(config) { store in
                var rows: [Row] = []
                var offset = 0
                // Pages of the store's own Locate (admin view), owner filtered here: exact ownership.
                while rows.count < limit {
                    let page = try await store.locate(LocateQuery(owner: nil, filters: filters, maxItems: 500, offset: offset,
                                                                  includeDestroyed: true, now: now)).uids
                    if page.isEmpty { break }
                    offset += page.count
                    for uid in page {
                        guard let o = try await store.fetch(uid: uid), owner == nil || o.owner == owner else { continue }
                        rows.append(Row(o))
                        if rows.count == limit { break }
                    }
                }
                return rows
            }
            if json || isatty(1) == 0 { printJSON(rows) } else { Table.print(rows) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One object with every attribute.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The object's Unique Identifier.") var uid: String

        func run() async throws {
            let config = try options.load()
            let o = try await StoreLocation(config).withStore(config) { store in
                guard let o = try await store.fetch(uid: uid) else { throw CLIError("no object \(uid) in \(store.name)") }
                return o
            }
            var attributes: [String: [String]] = [:]
            for a in o.attributes { attributes[a.name, default: []].append(Self.render(a.value)) }
            struct Shown: Codable { var object: Row; var attributes: [String: [String]] }
            printJSON(Shown(object: Row(o), attributes: attributes))
        }

        /// An attribute value as text: enumerations by name, dates in ISO 8601, structures as name=value.
        static func render(_ v: TTLV) -> String {
            switch v.value {
            case .structure(let children): return children.map { "\($0.tag.name ?? $0.tag.description)=\(render($0))" }.joined(separator: ", ")
            case .dateTime(let s): return ISODate.format(s)
            case .textString(let s): return s
            case .enumeration(let e): return v.tag.name.flatMap { EnumerationIndex.shared.name(forTag: $0, value: e) } ?? String(e)
            case .byteString(let b), .bigInteger(let b): return b.map { String(format: "%02x", $0) }.joined()
            case .integer(let i): return v.tag == .cryptographicUsageMask ? "0x" + String(UInt32(bitPattern: i), radix: 16) : String(i)
            case .longInteger(let i): return String(i)
            case .boolean(let b): return String(b)
            case .interval(let i): return "\(i) s"
            case .dateTimeExtended(let us): return ISODate.format(us / 1_000_000)
            }
        }
    }
}

/// Rows as aligned columns for a terminal.
enum Table {
    static func print(_ rows: [ObjectsCommand.Row]) {
        let header = ["UID", "TYPE", "STATE", "NAME", "OWNER", "ALGORITHM", "DEACTIVATION"]
        let cells = rows.map { r in [r.uid, r.type, r.state, r.name ?? "", r.owner,
                                     r.algorithm.map { a in r.length.map { "\(a)-\($0)" } ?? a } ?? "", r.deactivationDate ?? ""] }
        let widths = header.indices.map { i in ([header] + cells).map { $0[i].count }.max() ?? 0 }
        for line in [header] + cells {
            Swift.print(line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        Swift.print("\(rows.count) object\(rows.count == 1 ? "" : "s")")
    }
}
