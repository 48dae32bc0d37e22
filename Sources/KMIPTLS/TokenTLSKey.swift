import COpenSSL
import CTLSTokenKey

/// A TLS server key that never leaves the token: OpenSSL asks for each private-key
/// operation of a handshake and `perform` answers, synchronously, on the handshake's thread (an event
/// loop: one C_Sign of a few milliseconds per full handshake). RSA and EC keys; RSA keys sign (TLS 1.3
/// PSS, TLS 1.2 ECDHE-RSA) but do not decrypt, so the TLS_RSA_* key-exchange suites of the KMIP 1.x
/// profiles are not available with such a key.
public final class TokenTLSKey: Sendable {
    public enum Operation: Int32, Sendable {
        /// RSASSA-PKCS1-v1_5 over a DigestInfo (CKM_RSA_PKCS).
        case rsaPKCS1 = 1
        /// Raw RSA on a block OpenSSL padded (PSS; CKM_RSA_X_509).
        case rsaRaw = 2
        /// ECDSA over a digest; the answer is the DER ECDSA-Sig-Value.
        case ecdsa = 3
    }
    let perform: @Sendable (Operation, [UInt8]) -> [UInt8]?
    public init(perform: @escaping @Sendable (Operation, [UInt8]) -> [UInt8]?) { self.perform = perform }

    /// The key for SSL_CTX_use_PrivateKey; `self` is kept alive for the process (server lifetime).
    func evpKey(certificate: OpaquePointer) -> OpaquePointer? {
        kmipd_token_key(certificate, tokenKeyCallback, Unmanaged.passRetained(self).toOpaque())
    }
}

/// The C callback: finds the key object and copies its answer into OpenSSL's buffer.
private let tokenKeyCallback: kmipd_token_key_fn = { ctx, op, input, inputLength, out, outLength in
    guard let ctx, let input, let out, let outLength, let operation = TokenTLSKey.Operation(rawValue: op) else { return 0 }
    let key = Unmanaged<TokenTLSKey>.fromOpaque(ctx).takeUnretainedValue()
    guard let answer = key.perform(operation, Array(UnsafeBufferPointer(start: input, count: inputLength))),
          answer.count <= outLength.pointee else { return 0 }
    answer.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: answer.count) }
    outLength.pointee = answer.count
    return 1
}
