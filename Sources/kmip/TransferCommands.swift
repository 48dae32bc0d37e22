import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import OperatorErrors

/// How Get and Export return the key: its format, and wrapped by another key the server holds
/// (KMIP 2.1 §2.1.6 Key Wrapping Specification, Wrapping Method Encrypt).
struct KeyOutputOptions: ParsableArguments {
    @Option(help: "Key format: Raw, TransparentSymmetricKey, PKCS_1, PKCS_8, X_509, ECPrivateKey, TransparentRSAPublicKey, TransparentECPublicKey, …")
    var format: String?
    @Option(help: "Wrap the key with this key (AES: NIST Key Wrap; RSA: the key's padding); it needs WrapKey in its usage mask.")
    var wrapWith: String?
    @Flag(help: "With --wrap-with: wrap the key value itself in the token (Encoding Option No Encoding), not its TTLV encoding.")
    var noEncoding = false

    func fields() throws -> [TTLV] {
        var more = [TTLV]()
        if let format { more.append(try typed(format, .keyFormatType)) }
        if let wrapWith {
            more.append(KeyWrappingSpecification(wrappingMethod: .encrypt, encryptionKey: KeyInformation(uniqueIdentifier: wrapWith),
                                                 encodingOption: noEncoding ? .noEncoding : nil).ttlv)
        } else if noEncoding {
            throw ValidationError("--no-encoding goes with --wrap-with")
        }
        return more
    }
}

/// Export (KMIP 2.1 §6.1.18; 1.4 §4.40): the object with all its attributes, for Import elsewhere.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export an object with its attributes (KMIP 1.4+); --save keeps it for kmip import.",
        discussion: """
            Only an Extractable object leaves the token, plain over TLS or wrapped by another key.

            Examples:
              kmip export UID --save key.json
              kmip export UID --wrap-with KEK-UID --save key-wrapped.json
              kmip import key.json --uid restored-key
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @OptionGroup var output: KeyOutputOptions
    @Option(help: "Write the answer to this file instead (KMIP JSON encoding, mode 0600), for kmip import; standard output then names the object and the file, without its value.")
    var save: String?
    func run() async throws {
        let more = try output.fields()
        guard let save else {
            return try await perform(connection, .export) { c in try await c.simple(.export, uid: uid, more) }
        }
        // The key material goes to the 0600 file only, not to a terminal or a script's log as well.
        try await performEach(connection, .export) { c, _ in
            let answer = try await c.simple(.export, uid: uid, more)
            try Self.save(answer, to: save)
            var summary: [String: JSONRender.Value] = ["UniqueIdentifier": .string(answer.first(.uniqueIdentifier)?.text ?? uid), "SavedTo": .string(save)]
            if let type = answer.first(.objectType) { summary["ObjectType"] = JSONRender.convert(type, context: nil) }
            print(JSONRender.object(summary))
        }
    }

    /// The response payload in the KMIP JSON encoding (OASIS KMIP Additional Message Encodings), which
    /// keeps every item's type; created 0600, as it may hold key material.
    static func save(_ payload: TTLV, to path: String) throws {
        let bytes = TTLVJSON.encode(payload)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // O_CREAT's mode applies to a new file only: an older export left wider open is narrowed too.
        guard fchmod(fd, 0o600) == 0 else { throw CommandFailure("cannot restrict \(path) to 0600: \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}

/// Import (KMIP 2.1 §6.1.25; 1.4 §4.41): an object under the Unique Identifier given, from `kmip export --save`.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import an object saved by kmip export --save (KMIP 1.4+), under its own or a new Unique Identifier.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The file kmip export --save wrote.") var file: String
    @Option(help: "Import under this Unique Identifier (default: the exported one).") var uid: String?
    @Flag(help: "Replace an existing object with that identifier.") var replace = false
    func run() async throws {
        let saved: TTLV
        do {
            saved = try TTLVJSON.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), limits: TTLVLimits())
        } catch let e as KMIPCodecError {
            throw CommandFailure("\(file) is not a saved export: \(e.message)")
        } catch { throw CommandFailure("reading \(file)", error) }
        let objectTags: Set<Tag> = [.symmetricKey, .privateKey, .publicKey, .certificate, .secretData, .opaqueObject, .splitKey, .pgpKey]
        guard let exported = saved.first(.uniqueIdentifier)?.text, let type = saved.first(.objectType),
              let object = saved.children.first(where: { objectTags.contains($0.tag) })
        else { throw CommandFailure("\(file) is not a saved export (no Unique Identifier, Object Type and object)") }
        // Saved by a 2.x Export (an Attributes structure) or a 1.x one (Attribute items): either is
        // sent in the form of the version spoken now.
        let attributes: [Attribute]
        do { attributes = try AttributeList.read(saved.first(.attributes) ?? saved) } catch {
            throw CommandFailure("\(file): its attributes do not read: \(error.message)")
        }
        var fields = [TTLV(.uniqueIdentifier, .textString(uid ?? exported)), type]
        if replace { fields.append(TTLV(.replaceExisting, .boolean(true))) }
        if object.first(.keyBlock)?.first(.keyWrappingData) != nil {
            fields.append(TTLV(.keyWrapType, .enumeration(KeyWrapType.notWrapped.rawValue)))
        }
        try await perform(connection, .import) { c in
            try await c.call(.import, fields + AttributeList.encode(attributes, version: c.version) + [object])
        }
    }
}
