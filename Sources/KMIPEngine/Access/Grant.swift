import Foundation
import KMIP

/// A grant: the owner of an object, or an admin, lets another identity use it in named
/// operations. Grants travel as the vendor attribute `x-kmipd-grant` (KMIP 1.4 §3.41 Custom Attribute;
/// 2.1 §4.60 Vendor Attribute, Vendor Identification "x", name "kmipd-grant"), so any KMIP client can
/// give, list and take them back with Add / Get / Delete Attribute. Value: a Text String
/// "identity|Operation,Operation" — the identity is a certificate subject as kmipd prints it (or
/// "*": every authenticated client), the operations are KMIP operation names (or "*": all of them).
/// Only the owner or an admin may add, change or delete grants.
public struct Grant: Sendable, Hashable {
    public static let attributeName = "x-kmipd-grant"
    public static let key = Attribute.Key.vendor(attributeName)
    public var grantee: String
    /// Operation names as the specification spells them, or "*".
    public var operations: Set<String>

    public init(grantee: String, operations: Set<String>) { self.grantee = grantee; self.operations = operations }

    /// Parses and checks a grant value; the error says what is wrong.
    public init(value: TTLV) throws(EngineError) {
        guard let text = value.text else { throw EngineError(.invalidField, "\(Self.attributeName) must be a Text String") }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw EngineError(.invalidField, "\(Self.attributeName) must read \"identity|Operation,Operation\" (one '|')")
        }
        let names = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw EngineError(.invalidField, "\(Self.attributeName) names no operation") }
        for n in names where n != "*" && KMIP.Operation(named: n) == nil {
            throw EngineError(.invalidField, "\(Self.attributeName): unknown operation \(n)")
        }
        self.init(grantee: String(parts[0]), operations: Set(names))
    }

    /// The canonical value (operations sorted), which Locate matches on.
    public var text: String { grantee + "|" + operations.sorted().joined(separator: ",") }

    public func allows(_ identity: String, _ operation: KMIP.Operation) -> Bool {
        (grantee == identity || grantee == "*") && (operations.contains("*") || operations.contains(operation.name))
    }

    /// The grants an object carries (values that do not parse grant nothing).
    public static func of(_ object: ManagedObject) -> [Grant] {
        object.attributes.filter { $0.key == key }.compactMap { try? Grant(value: $0.value) }
    }

    /// Replaces a client's grant value by its canonical form, refusing malformed ones.
    static func canonical(_ a: Attribute) throws(EngineError) -> Attribute {
        guard a.key == key else { return a }
        var out = a
        out.value = TTLV(a.value.tag, .textString(try Grant(value: a.value).text))
        return out
    }
}
