import Foundation
import KMIP
import KMIPClient

/// One benchmarked operation: what it needs made first, and the request it repeats. Requests
/// use only what KMIP 1.x servers in general accept (PyKMIP among them): Activate after Create rather
/// than an Activation Date, IVs from the client.
enum BenchOperation: String, CaseIterable, Sendable {
    case create, get, getAttributes = "get-attributes", locate, encrypt, decrypt
    case signRSA = "sign-rsa", signEC = "sign-ec", createDestroy = "create-destroy"

    /// A request repeated by every connection; `prepare` runs once, on its own connection.
    typealias Step = @Sendable (KMIPClient) async throws -> Void

    func prepare(_ c: KMIPClient, tag: String) async throws -> Step {
        let usage = CryptographicUsageMask.encrypt.rawValue | CryptographicUsageMask.decrypt.rawValue
        switch self {
        case .create:
            return { c in _ = try await c.create(algorithm: .aes, length: 256, usage: usage) }
        case .createDestroy:
            return { c in
                let uid = try await c.create(algorithm: .aes, length: 256, usage: usage)
                try await c.simple(.destroy, uid: uid)
            }
        case .get, .getAttributes, .locate:
            let name = "bench-\(tag)"
            let uid = try await c.create(algorithm: .aes, length: 256, usage: usage, name: name)
            switch self {
            case .get: return { c in try await c.simple(.get, uid: uid) }
            case .getAttributes: return { c in try await c.simple(.getAttributes, uid: uid) }
            default: return { c in
                guard try await c.locate([KMIPClient.name(name)]) == [uid] else { throw BenchError("Locate did not find \(name)") }
            }
            }
        case .encrypt, .decrypt:
            let uid = try await c.create(algorithm: .aes, length: 256, usage: usage)
            try await c.simple(.activate, uid: uid)
            let iv = [UInt8](repeating: 7, count: 12), data = [UInt8](repeating: 0x5A, count: 1024)
            let gcm = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.gcm.rawValue)),
                                                                TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)),
                                                                TTLV(.tagLength, .integer(16))])
            let encrypt = [gcm, TTLV(.data, .byteString(data)), TTLV(.ivCounterNonce, .byteString(iv))]
            if self == .encrypt { return { c in try await c.simple(.encrypt, uid: uid, encrypt) } }
            let sealed = try await c.simple(.encrypt, uid: uid, encrypt)
            guard let ciphertext = sealed.first(Tag.data)?.bytes, let tag = sealed.first(Tag.authenticatedEncryptionTag)?.bytes else {
                throw BenchError("Encrypt returned no data or tag")
            }
            let decrypt = [gcm, TTLV(.data, .byteString(ciphertext)), TTLV(.ivCounterNonce, .byteString(iv)),
                           TTLV(.authenticatedEncryptionTag, .byteString(tag))]
            return { c in try await c.simple(.decrypt, uid: uid, decrypt) }
        case .signRSA, .signEC:
            let rsa = self == .signRSA
            let common = [Attribute(.cryptographicAlgorithm, .enumeration((rsa ? CryptographicAlgorithm.rsa : .ec).rawValue)),
                          Attribute(.cryptographicLength, .integer(rsa ? 2048 : 256))]
            let v2 = c.version.isV2
            let pair = try await c.call(.createKeyPair, [
                c.attributeList(common, tag: v2 ? .commonAttributes : .commonTemplateAttribute),
                c.attributeList([Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.sign.rawValue)))],
                                tag: v2 ? .privateKeyAttributes : .privateKeyTemplateAttribute),
                c.attributeList([Attribute(.cryptographicUsageMask, .integer(Int32(CryptographicUsageMask.verify.rawValue)))],
                                tag: v2 ? .publicKeyAttributes : .publicKeyTemplateAttribute),
            ])
            guard let priv = pair.first(.privateKeyUniqueIdentifier)?.text else { throw BenchError("Create Key Pair returned no private key") }
            try await c.simple(.activate, uid: priv)
            let params: [TTLV] = rsa
                ? [TTLV(.paddingMethod, .enumeration(PaddingMethod.pkcs1V15.rawValue)), TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha256.rawValue)),
                   TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.rsa.rawValue))]
                : [TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha256.rawValue)),
                   TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ecdsa.rawValue))]
            let payload = [TTLV.structure(.cryptographicParameters, params), TTLV(.data, .byteString([UInt8](repeating: 0x42, count: 64)))]
            return { c in try await c.simple(.sign, uid: priv, payload) }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
