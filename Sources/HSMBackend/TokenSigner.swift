import CPKCS11
import KMIPEngine
import PKCS11

/// EC P-256 signing keys that live in the token (the dev CA; later Certify). The host hashes, the
/// token signs the digest with CKM_ECDSA (SoftHSM2 has no CKM_ECDSA_SHA256) and returns raw r‖s.
extension PKCS11Token {
    /// DER of the prime256v1 OID, the CKA_EC_PARAMS of a P-256 key.
    static let p256Params: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]

    /// Generates a P-256 key pair with CKA_ID = `id` (unless one exists) and returns the public point
    /// (uncompressed, 65 bytes).
    public func ensureP256SigningKey(id: String, label: String) async throws(EngineError) -> [UInt8] {
        if cache.get(id + "#pub") == nil || cache.get(id) == nil {
            let pubTemplate: [ObjectAttribute] = [.token(true), .id(id + "#pub"), .label(label + " (public)"),
                                                  .bytes(UInt(CKA_EC_PARAMS), Self.p256Params), .flag(Int32(CKA_VERIFY), true)]
            let privTemplate: [ObjectAttribute] = [.token(true), .isPrivate(true), .id(id), .label(label), .sensitive(true),
                                                   .extractable(false), .flag(Int32(CKA_SIGN), true)]
            let (pub, priv) = try await call { (s) throws(PKCS11Error) in
                try s.generateKeyPair(mechanism: UInt(CKM_EC_KEY_PAIR_GEN), publicTemplate: pubTemplate, privateTemplate: privTemplate)
            }
            cache.set(id + "#pub", pub)
            cache.set(id, priv)
        }
        let pub = try handle(id + "#pub")
        let point = try await call { (s) throws(PKCS11Error) in try s.attribute(UInt(CKA_EC_POINT), of: pub) }
        // CKA_EC_POINT is a DER OCTET STRING around the point.
        guard point.count == 67, point[0] == 0x04, point[1] == 0x41 else {
            throw EngineError(.cryptographicFailure, "unexpected CKA_EC_POINT encoding (\(point.count) bytes)")
        }
        return Array(point[2...])
    }

    /// ECDSA over a 32-byte digest with the private key `id`: raw r‖s.
    public func signDigestECDSA(id: String, digest: [UInt8]) async throws(EngineError) -> [UInt8] {
        let h = try handle(id)
        return try await call { (s) throws(PKCS11Error) in try s.sign(mechanism: UInt(CKM_ECDSA), key: h, digest) }
    }

    /// Blocking variant for synchronous signing APIs (swift-certificates' CustomPrivateKey), run on a
    /// session thread, never on an event loop.
    public func signDigestECDSASync(id: String, digest: [UInt8]) throws(EngineError) -> [UInt8] {
        let h = try handle(id)
        do { return try pool.runBlocking { (s) throws(PKCS11Error) in try s.sign(mechanism: UInt(CKM_ECDSA), key: h, digest) } }
        catch { throw EngineError(error) }
    }
}
