import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import OperatorErrors

/// kmipd's grants in readable form: the vendor attribute `x-kmipd-grant` = "identity|Operation,…"
/// (KMIP 1.4 §3.41 Custom Attribute, 2.1 §4.60 Vendor Attribute), added and deleted with the
/// ordinary attribute operations. Only the object's owner (or an admin) may change grants.
struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Let another identity use an object in the named operations.",
        discussion: """
            IDENTITY is a certificate subject as kmipd prints it ("CN=app1,O=Example"), user:NAME for a \
            credential, group:NAME for a client group, or * for every authenticated client. OPERATION is a \
            KMIP operation name (Get, Encrypt, "Get Attributes", get-attributes, …) or * for all; a grant \
            naming Locate makes the object findable by the grantee. List grants with
            kmip get-attributes UID --attribute x-kmipd-grant.

            Examples:
              kmip grant UID "CN=backup-agent,O=Example" Get Locate
              kmip grant UID user:reporting "Get Attributes" Locate
              kmip revoke-grant UID "CN=backup-agent,O=Example"
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Argument(help: "Who may use the object.") var identity: String
    @Argument(help: "Operations it may use the object in.") var operations: [String]
    func run() async throws {
        let grant = try grantAttribute(identity, operations)
        try await perform(connection, .addAttribute) { c in try await c.simple(.addAttribute, uid: uid, [edited(grant, c, as: .newAttribute)]) }
    }
}

struct RevokeGrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-grant", abstract: "Take back an identity's grants on an object (all of them, or the one naming exactly OPERATIONS).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Argument(help: "The grantee, as it was granted.") var identity: String
    @Argument(help: "Only the grant of exactly these operations.") var operations: [String] = []
    func run() async throws {
        let wanted = try operations.isEmpty ? nil : grantAttribute(identity, operations).value.text.map(Self.canonical)
        try await performEach(connection, .deleteAttribute) { c, answers in
            let answer = try await c.send(GetAttributesRequest(uniqueIdentifier: uid, names: [Self.name]))
            let container = c.version.isV2 ? answer.first(.attributes) ?? .structure(.attributes, []) : answer
            let grants = try AttributeList.read(container).filter { a in
                guard a.key == .vendor(Self.name), let text = a.value.text, text.hasPrefix(identity + "|") else { return false }
                return wanted == nil || Self.canonical(text) == wanted
            }
            guard !grants.isEmpty else {
                throw CommandFailure("\(uid) has no grant to \(identity)\(wanted.map { " of exactly \($0.split(separator: "|").last ?? "")" } ?? "")")
            }
            // 1.x deletes by index: highest first, so the indexes still to delete do not move.
            for g in grants.sorted(by: { ($0.index ?? 0) > ($1.index ?? 0) }) {
                answers.add(try await c.simple(.deleteAttribute, uid: uid, c.version.isV2 ? [edited(g, c, as: .currentAttribute)]
                    : [TTLV(.attributeName, .textString(Self.name)), TTLV(.attributeIndex, .integer(g.index ?? 0))]))
            }
        }
    }

    static let name = grantAttributeName
    /// "identity|B,A" as kmipd keeps it: operations sorted.
    static func canonical(_ text: String) -> String {
        guard let bar = text.lastIndex(of: "|") else { return text }
        return text[..<bar] + "|" + text[text.index(after: bar)...].split(separator: ",").map(String.init).sorted().joined(separator: ",")
    }
}
