import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Whether a new key may leave the token (KMIP 2.1 §4.23 Extractable).
enum Extractability: EnumerableFlag {
    case extractable, nonExtractable
    static func help(for value: Extractability) -> ArgumentHelp? {
        value == .extractable ? "Extractable = true: the key may be read out with Get and Export."
            : "Extractable = false: the key never leaves the token."
    }
}

/// Attributes from the command line: typed options for the common ones, `--attribute NAME=VALUE`
/// (any attribute the specification defines, or a vendor x-NAME) for the rest. See `AttributeText`
/// for how values are written.
struct AttributeOptions: ParsableArguments {
    @Option(help: "Name (repeatable).") var name: [String] = []
    @Option(help: "Object Group (repeatable).") var group: [String] = []
    @Option(help: "Cryptographic Usage Mask: names, comma separated (Encrypt,Decrypt,Sign,Verify,WrapKey,UnwrapKey,MACGenerate,DeriveKey,…).")
    var usage: String?
    @Option(help: "Activation Date: 2027-01-01, 2027-01-01T12:00:00Z, now, now+30d or @SECONDS.") var activationDate: String?
    @Option(help: "Deactivation Date, written as --activation-date.") var deactivationDate: String?
    @Flag var extractability: Extractability?
    @Option(help: ArgumentHelp("Let IDENTITY use the object in the named operations (repeatable); OPS comma separated or *.",
                               valueName: "IDENTITY:OPS"))
    var grant: [String] = []
    @Option(name: .customLong("attribute"), help: ArgumentHelp(
        "Any attribute (repeatable): \"Contact Information=ops@example\", \"Link=Parent Link:UID\", \"x-team=storage\", \"x-count:Integer=3\", JSON for structures.",
        valueName: "NAME=VALUE"))
    var generic: [String] = []

    /// The attributes, in the order: typed options, then `--attribute`s.
    func attributes(now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> [Attribute] {
        var out = name.map { KMIPClient.name($0) }
        out += group.map { Attribute(.objectGroup, .textString($0)) }
        if let usage { out.append(Attribute(.cryptographicUsageMask, .integer(Int32(bitPattern: try usageMask(usage))))) }
        for (tag, text) in [(Tag.activationDate, activationDate), (.deactivationDate, deactivationDate)] {
            if let text { out.append(Attribute(key: .tag(tag), value: try typed(text, tag, now: now))) }
        }
        if let extractability { out.append(Attribute(.extractable, .boolean(extractability == .extractable))) }
        out += try grant.map(Self.grant)
        for a in generic {
            do { out.append(try AttributeText.attribute(a, now: now)) } catch { throw ValidationError("--attribute \(error.description)") }
        }
        return out
    }

    /// `IDENTITY:OPS` as the grant attribute's value, "IDENTITY|OPS" (the identity may itself hold ':').
    static func grant(_ text: String) throws -> Attribute {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else {
            throw ValidationError("--grant is IDENTITY:OPS, e.g. \"CN=app1,O=Example:Get,Encrypt\"")
        }
        return try grantAttribute(String(text[..<colon]), text[text.index(after: colon)...].split(separator: ",").map(String.init))
    }
}

/// The vendor attribute that carries kmipd's grants.
let grantAttributeName = "x-kmipd-grant"

/// The grant attribute kmipd reads (`x-kmipd-grant`, "identity|Operation,Operation"), with the
/// operation names checked here so that a typo is a usage error rather than the server's refusal.
func grantAttribute(_ identity: String, _ operations: [String]) throws -> Attribute {
    let ops = operations.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !identity.isEmpty, !ops.isEmpty else { throw ValidationError("a grant names an identity and at least one operation") }
    let names = try ops.map { op -> String in
        if op == "*" { return op }
        guard let o = KMIP.Operation(named: op) else { throw ValidationError("unknown operation \(op) (spec names: Get, Encrypt, \"Get Attributes\", … or *)") }
        return o.name
    }
    return Attribute(name: grantAttributeName, value: TTLV(.attributeValue, .textString(identity + "|" + names.joined(separator: ","))))
}

/// A value typed as the attribute `tag` is, as a usage error when it does not read.
func typed(_ text: String, _ tag: Tag, now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> TTLV {
    do { return try AttributeText.value(text, tag: tag, now: now) } catch { throw ValidationError(error.description) }
}

func usageMask(_ s: String) throws -> UInt32 {
    var mask: UInt32 = 0
    for part in s.split(whereSeparator: { $0 == "," || $0 == "|" }) where !part.isEmpty {
        guard let v = CryptographicUsageMask(named: String(part).trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("unknown usage \(part)")
        }
        mask |= v.rawValue
    }
    return mask
}
