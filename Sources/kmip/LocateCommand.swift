import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Locate (KMIP 2.1 §6.1.28): every attribute given is a filter the objects must all carry; the same
/// date attribute given twice is an inclusive range.
struct Locate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find objects by any attributes, dates in a range, type or state.",
        discussion: """
            Examples:
              kmip locate --name db-master
              kmip locate --group backups --state Active --object-type SymmetricKey
              kmip locate --date-range "Initial Date=now-7d..now" --max 50
              kmip locate --group tape-pool --group-member fresh --max 1
              kmip locate --attribute "Cryptographic Length=128" --attribute x-team=db
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Object Type (SymmetricKey, PrivateKey, PublicKey, Certificate, SecretData, OpaqueObject).") var objectType: String?
    @Option(help: "State (PreActive, Active, Deactivated, Compromised, Destroyed).") var state: String?
    @Option(help: ArgumentHelp("A date attribute between two dates, inclusive; either end may be left out.",
                               valueName: "NAME=FROM..TO"))
    var dateRange: [String] = []
    @OptionGroup var filters: AttributeOptions
    @Option(help: "Maximum Items.") var max: Int32?
    @Option(help: "Offset Items: skip this many matches (KMIP 1.3+).") var offset: Int32?
    @Option(help: "Storage Status Mask: OnLineStorage, ArchivalStorage, DestroyedStorage (comma separated).") var storage: String?
    @Option(help: "With --group: Fresh (members never handed out) or Default (the group's newest Active member).") var groupMember: String?

    func run() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        var attrs = [Attribute]()
        if let objectType { attrs.append(Attribute(key: .tag(.objectType), value: try typed(objectType, .objectType))) }
        if let state { attrs.append(Attribute(key: .tag(.state), value: try typed(state, .state))) }
        attrs += try filters.attributes(now: now)
        for r in dateRange { attrs += try Self.range(r, now: now) }
        let storageMask = try storage.map { try typed($0, .storageStatusMask) }
        let member = try groupMember.map { try typed("Group Member " + $0, .objectGroupMember) }
        if let max, max < 0 { throw ValidationError("--max must not be negative") }
        if let offset, offset < 0 { throw ValidationError("--offset must not be negative") }
        try await perform(connection) { c in
            var payload = [TTLV]()
            if let max { payload.append(TTLV(.maximumItems, .integer(max))) }
            if let offset { payload.append(TTLV(.offsetItems, .integer(offset))) }
            if let storageMask { payload.append(storageMask) }
            if let member { payload.append(member) }
            payload += c.version.isV2 ? AttributeList.encode(attrs, version: c.version) : attrs.map(\.v1)
            return try await c.call(.locate, payload)
        }
    }

    /// `NAME=FROM..TO` as two instances of the date attribute (KMIP 1.4 §4.9, 2.1 §6.1.28); an open end
    /// is the first or last second the server accepts (years 1 and 9999).
    static func range(_ text: String, now: Int64) throws -> [Attribute] {
        guard let eq = text.firstIndex(of: "="), let dots = text.range(of: "..", range: eq..<text.endIndex) else {
            throw ValidationError("--date-range is NAME=FROM..TO, e.g. \"Activation Date=2027-01-01..now\"")
        }
        let name = String(text[..<eq])
        guard let tag = Tag(named: name), tag.itemType == .dateTime else { throw ValidationError("--date-range: \(name) is not a date attribute") }
        let from = String(text[text.index(after: eq)..<dots.lowerBound]), to = String(text[dots.upperBound...])
        let low = from.isEmpty ? TTLV(tag, .dateTime(-62_135_596_800)) : try typed(from, tag, now: now)
        let high = to.isEmpty ? TTLV(tag, .dateTime(253_402_300_799)) : try typed(to, tag, now: now)
        return [Attribute(key: .tag(tag), value: low), Attribute(key: .tag(tag), value: high)]
    }
}
