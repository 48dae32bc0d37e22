import Foundation
import KMIP
import KMIPEngine

/// Objects of every kind the OASIS requests name, alive and Active in the engine under test, so that
/// a mutated request reaches the handler's deep end (an Encrypt on a live key, not Item Not Found).
struct LiveObjects {
    var aes = "", hmac = "", rsaPrivate = "", rsaPublic = "", ecPrivate = "", ecPublic = "", certificate = ""
    let engine: BatchExecutor
    let identity: String
    let now: Int64

    init(engine: BatchExecutor, identity: String, now: Int64) async throws {
        self.engine = engine; self.identity = identity; self.now = now
        try await make()
    }

    mutating func make() async throws {
        let everything = CryptographicUsageMaskBits([.encrypt, .decrypt, .wrapKey, .unwrapKey, .macGenerate, .macVerify, .deriveKey])
        aes = try await secret(.aes, 256, everything)
        hmac = try await secret(.hmacSHA256, 256, [.macGenerate, .macVerify])
        (rsaPrivate, rsaPublic) = try await pair(.rsa, 2048, [.sign, .decrypt, .unwrapKey], [.verify, .encrypt, .wrapKey])
        (ecPrivate, ecPublic) = try await pair(.ec, 256, [.sign], [.verify])
        let cert = try await call(.certify, [TTLV(.uniqueIdentifier, .textString(rsaPublic)), .structure(.attributes, [
            .structure(.link, [TTLV(.linkType, .enumeration(LinkType.privateKeyLink.rawValue)), TTLV(.linkedObjectIdentifier, .textString(rsaPrivate))])])])
        certificate = try uid(cert)
        _ = try await call(.activate, [TTLV(.uniqueIdentifier, .textString(certificate))])
    }

    /// Whether every object is still Active with its token object (a mutated Destroy, Revoke or Re-key
    /// may have used one up).
    func intact() async -> Bool {
        for id in [aes, hmac, rsaPrivate, rsaPublic, ecPrivate, ecPublic, certificate] {
            guard let o = try? await engine.services.store.fetch(uid: id), o.state == .active, o.tokenObject != nil else { return false }
        }
        return true
    }

    /// The identifier a request's placeholder stands for, by what the request does with it.
    func identifier(for tag: Tag, operation: KMIP.Operation, index: Int, elliptic: Bool) -> String {
        switch tag {
        case .privateKeyUniqueIdentifier: return elliptic ? ecPrivate : rsaPrivate
        case .publicKeyUniqueIdentifier: return elliptic ? ecPublic : rsaPublic
        case .linkedObjectIdentifier: return certificate
        default: break
        }
        if index > 0 { return elliptic ? ecPublic : hmac }
        switch operation {
        case .mac, .macVerify: return hmac
        case .sign: return elliptic ? ecPrivate : rsaPrivate
        case .signatureVerify: return elliptic ? ecPublic : rsaPublic
        case .certify: return elliptic ? ecPublic : rsaPublic
        case .reCertify: return certificate
        case .reKeyKeyPair: return elliptic ? ecPrivate : rsaPrivate
        default: return aes
        }
    }

    // MARK: Making them

    func call(_ op: KMIP.Operation, _ payload: [TTLV]) async throws -> TTLV {
        let r = await engine.execute(RequestMessage(header: RequestHeader(protocolVersion: .v2_1, batchCount: 1),
                                                    batchItems: [RequestBatchItem(operation: op, payload: .structure(.requestPayload, payload))]),
                                     identity: identity, now: now)
        guard let item = r.batchItems.first, item.resultStatus == .success, let p = item.payload else {
            throw Failure("\(op): \(r.batchItems.first?.resultMessage ?? "no answer")")
        }
        return p
    }
    func uid(_ p: TTLV) throws -> String {
        guard let u = p.first(.uniqueIdentifier)?.text else { throw Failure("no Unique Identifier") }
        return u
    }

    func secret(_ alg: CryptographicAlgorithm, _ bits: Int32, _ usage: CryptographicUsageMaskBits) async throws -> String {
        try uid(try await call(.create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), .structure(.attributes, [
            TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(bits)),
            TTLV(.cryptographicUsageMask, .integer(Int32(usage.rawValue))), TTLV(.activationDate, .dateTime(now - 60))])]))
    }

    func pair(_ alg: CryptographicAlgorithm, _ bits: Int32, _ priv: CryptographicUsageMaskBits,
              _ pub: CryptographicUsageMaskBits) async throws -> (String, String) {
        let p = try await call(.createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(alg.rawValue)), TTLV(.cryptographicLength, .integer(bits)),
                                           TTLV(.activationDate, .dateTime(now - 60))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(priv.rawValue)))]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(Int32(pub.rawValue))),
                .structure(.name, [TTLV(.nameValue, .textString("mutation-\(alg)")), TTLV(.nameType, .enumeration(1))])])])
        guard let a = p.first(.privateKeyUniqueIdentifier)?.text, let b = p.first(.publicKeyUniqueIdentifier)?.text else {
            throw Failure("no key pair")
        }
        return (a, b)
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
