import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Get Attribute List (KMIP 2.1 §6.1.21; 1.4 §4.13).
struct GetAttributeList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get-attribute-list", abstract: "The names of an object's attributes.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    func run() async throws { try await perform(connection, .getAttributeList) { c in try await c.simple(.getAttributeList, uid: uid) } }
}

/// Add Attribute (KMIP 2.1 §6.1.2; 1.4 §4.14): one request per attribute given.
struct AddAttribute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-attribute", abstract: "Add attributes to an object (one Add Attribute each; several answers print as an array).",
        discussion: """
            Examples:
              kmip add-attribute UID --name db-master-2027 --group databases
              kmip add-attribute UID "Contact Information=ops@example" "x-team=storage"
              kmip add-attribute UID "Link=Parent Link:OTHER-UID"
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Argument(help: ArgumentHelp("Attributes written as --attribute takes them.", valueName: "NAME=VALUE")) var values: [String] = []
    @OptionGroup var attributes: AttributeOptions
    func run() async throws { try await sendEach(.addAttribute, uid, values, attributes, connection) }
}

/// Modify Attribute (KMIP 2.1 §6.1.34; 1.4 §4.15): the instance by its current value (2.x) or index (1.x).
struct ModifyAttribute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modify-attribute", abstract: "Change the value of an attribute an object has.",
        discussion: """
            Examples:
              kmip modify-attribute UID "Object Group=payments" --current databases
              kmip modify-attribute UID "Deactivation Date=now+90d"
              kmip modify-attribute UID "Name=new-name" --index 1
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Argument(help: ArgumentHelp("The new value.", valueName: "NAME=VALUE")) var attribute: String
    @Option(help: "KMIP 2.x: the instance to change, by its current value (written as the new one is).") var current: String?
    @Option(help: "KMIP 1.x: the instance to change, by its Attribute Index.") var index: Int32?

    func run() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        var new = try textAttribute(attribute, now: now)
        let old = try current.map { try textAttribute(new.name + "=" + $0, now: now) }
        if let index { guard index >= 0 else { throw ValidationError("--index must not be negative") }; new.index = index }
        // --current is KMIP 2.x's way to pick an instance, --index 1.x's: either picks the version.
        try await perform(connection, .modifyAttribute, preferring: old != nil ? .v2_1 : nil) { c in
            guard !(c.version.isV2 && index != nil), !(!c.version.isV2 && old != nil) else {
                throw ValidationError("--current is KMIP 2.x's way to pick an instance, --index KMIP 1.x's")
            }
            var payload = [TTLV]()
            if let old { payload.append(edited(old, c, as: .currentAttribute)) }
            payload.append(edited(new, c, as: .newAttribute))
            return try await c.simple(.modifyAttribute, uid: uid, payload)
        }
    }
}

/// Delete Attribute (KMIP 2.1 §6.1.13; 1.4 §4.16).
struct DeleteAttribute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-attribute", abstract: "Delete one instance of an attribute.",
        discussion: """
            Examples:
              kmip delete-attribute UID "Contact Information"
              kmip delete-attribute UID Name --value old-name
              kmip delete-attribute UID "Object Group" --index 1
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Argument(help: "The attribute's name (spec name or x-NAME).") var name: String
    @Option(help: "KMIP 2.x: the instance with this value.") var value: String?
    @Option(help: "KMIP 1.x: the instance with this Attribute Index (default 0).") var index: Int32?

    func run() async throws {
        let canonical = try canonicalName(name)
        let byValue = try value.map { try textAttribute(name + "=" + $0, now: Int64(Date().timeIntervalSince1970)) }
        if let index, index < 0 { throw ValidationError("--index must not be negative") }
        try await perform(connection, .deleteAttribute, preferring: byValue != nil ? .v2_1 : nil) { c in
            if let byValue {
                guard c.version.isV2 else { throw ValidationError("--value needs KMIP 2.x (--protocol 2.1); KMIP 1.x deletes by --index") }
                return try await c.simple(.deleteAttribute, uid: uid, [edited(byValue, c, as: .currentAttribute)])
            }
            if c.version.isV2 {
                guard index == nil else { throw ValidationError("--index is KMIP 1.x's; KMIP 2.x deletes by --value") }
                guard let ref = AttributeReferences.reference(canonical) else { throw ValidationError("no Attribute Reference for \(canonical)") }
                return try await c.simple(.deleteAttribute, uid: uid, [ref])
            }
            var payload = [TTLV(.attributeName, .textString(canonical))]
            if let index { payload.append(TTLV(.attributeIndex, .integer(index))) }
            return try await c.simple(.deleteAttribute, uid: uid, payload)
        }
    }
}

/// Set Attribute (KMIP 2.0+, 2.1 §6.1.51): the attribute's one value, added or replaced.
struct SetAttribute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-attribute", abstract: "Set a single-valued attribute, added or replaced (KMIP 2.0+).",
        discussion: """
            Examples:
              kmip set-attribute UID "Activation Date=2027-01-01"
              kmip set-attribute UID --non-extractable
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Argument(help: ArgumentHelp("Attributes written as --attribute takes them.", valueName: "NAME=VALUE")) var values: [String] = []
    @OptionGroup var attributes: AttributeOptions
    func run() async throws { try await sendEach(.setAttribute, uid, values, attributes, connection) }
}

/// Add or Set Attribute: one request per attribute given (as NAME=VALUE arguments or options), in order.
func sendEach(_ operation: KMIP.Operation, _ uid: String, _ values: [String], _ options: AttributeOptions,
              _ connection: ConnectionOptions) async throws {
    let now = Int64(Date().timeIntervalSince1970)
    let attrs = try options.attributes(now: now) + values.map { try textAttribute($0, now: now) }
    guard !attrs.isEmpty else { throw ValidationError("give at least one attribute (NAME=VALUE, --name, --group, --attribute …)") }
    try await performEach(connection, operation) { c, answers in
        for a in attrs { answers.add(try await c.simple(operation, uid: uid, [edited(a, c, as: .newAttribute)])) }
    }
}

/// An attribute in the wire form of an attribute edit: 1.x `Attribute`, 2.x `New Attribute` or
/// `Current Attribute` around the attribute.
func edited(_ a: Attribute, _ c: KMIPClient, as tag: Tag) -> TTLV {
    c.version.isV2 ? .structure(tag, [a.v2]) : a.v1
}

func textAttribute(_ text: String, now: Int64) throws -> Attribute {
    do { return try AttributeText.attribute(text, now: now) } catch { throw ValidationError(error.description) }
}

/// An attribute name as typed ("objectgroup", "x-team") in the spelling requests carry ("Object Group").
func canonicalName(_ name: String) throws -> String {
    let key: Attribute.Key
    do { (key, _) = try AttributeText.reference(name) } catch { throw ValidationError(error.description) }
    return Attribute(key: key, value: TTLV(.attributeValue, .structure([]))).name
}
