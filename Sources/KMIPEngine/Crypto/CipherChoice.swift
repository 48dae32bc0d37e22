import KMIP

/// From Cryptographic Parameters to the cipher the token runs (KMIP 2.1 §4.16), with the IV rules:
/// an IV the client does not give is made by the token's RNG (SoftHSM2 never makes one and would accept
/// an empty one), and an empty IV is refused.
struct CipherChoice {
    var cipher: Cipher
    /// Made by the server: returned as IV/Counter/Nonce.
    var generatedIV: [UInt8]?
    /// GCM tag length in bytes.
    var tagLength: Int?
    /// ECB with PKCS#5 has no PKCS#11 mechanism: the padding is added and removed on the host (it is
    /// the client's data, not key material).
    var hostPadding: Int?

    static func choose(_ request: CryptoRequest, iv given: [UInt8]?, aad: [UInt8], encrypt: Bool,
                       _ context: RequestContext) async throws(EngineError) -> CipherChoice {
        let p = request.parameters, token = context.services.token, version = context.version
        if let g = given, g.isEmpty { throw EngineError(.invalidField, "an empty IV/Counter/Nonce is refused") }
        /// - Parameters: `length` the mode's IV in bytes; `minimum` the shortest IV the mode accepts
        ///   (nil: exactly `length`); `nonce`: a mode where a repeated IV reveals plaintext (GCM, CTR).
        func iv(_ length: Int, minimum: Int? = nil, nonce: Bool = false) async throws(EngineError) -> ([UInt8], [UInt8]?) {
            let allowed = minimum.map { $0...128 } ?? length...length
            if let g = given {
                // A client that picks the nonce of an Encrypt can make the token repeat a keystream and
                // so decrypt without Decrypt permission (policy.clientNonces).
                if encrypt && nonce && !Self.mayChooseNonce(request.object, context) {
                    throw EngineError(.permissionDenied, "this server makes the GCM and CTR nonces of callers who may not decrypt with the key: leave IV/Counter/Nonce out")
                }
                guard allowed.contains(g.count) else {
                    throw EngineError(.invalidField, "IV/Counter/Nonce of \(g.count) bytes; this mode takes \(allowed.lowerBound == allowed.upperBound ? "\(length)" : "\(allowed.lowerBound) to \(allowed.upperBound)")")
                }
                return (g, nil)
            }
            // The CS-BC test cases answer a decryption without its IV with Invalid Message.
            guard encrypt else { throw EngineError(.invalidMessage, "IV/Counter/Nonce is required to decrypt") }
            // A generated IV is never shorter than the mode's recommended one (SP 800-38D §8.2.2: 96 bits).
            let bytes = p.ivLength.map { $0 / 8 } ?? length
            guard (minimum.map { max($0, length)...128 } ?? length...length).contains(bytes) else {
                throw EngineError(.invalidField, "IV Length \(bytes * 8) bits is not one this mode takes (\(length * 8))")
            }
            let made = try await token.random(count: bytes)
            return (made, made)
        }
        switch request.algorithm {
        case .aes, ._3des:
            let block = request.algorithm == .aes ? 16 : 8
            let pad = p.padding == .pkcs5
            switch p.blockCipherMode {
            case .ecb?:
                return CipherChoice(cipher: request.algorithm == .aes ? .aesECB : .des3ECB, generatedIV: nil, tagLength: nil,
                                    hostPadding: pad ? block : nil)
            case .cbc?:
                let (v, made) = try await iv(block)
                return CipherChoice(cipher: request.algorithm == .aes ? .aesCBC(iv: v, pad: pad) : .des3CBC(iv: v, pad: pad),
                                    generatedIV: made, tagLength: nil, hostPadding: nil)
            case .ctr? where request.algorithm == .aes:
                let (v, made) = try await iv(16, nonce: true)
                return CipherChoice(cipher: .aesCTR(counterBlock: v, counterBits: p.counterLength ?? 32), generatedIV: made, tagLength: nil, hostPadding: nil)
            case .gcm? where request.algorithm == .aes:
                // The Authenticated Encryption Tag field is KMIP 1.4+: without it GCM cannot be checked.
                guard version >= .v1_4 else { throw EngineError(.featureNotSupported, "GCM needs KMIP 1.4 or later (Authenticated Encryption Tag)") }
                let tag = p.tagLength ?? 16
                // The CS-BC-GCM test cases answer an impossible tag length with General Failure.
                guard (4...16).contains(tag) else { throw EngineError(.generalFailure, "GCM Tag Length \(tag) is not 4 to 16 bytes") }
                // Client IVs of 8 bytes and more (the NIST GCM vectors use 8 and 60); generated ones 12 or more.
                let (v, made) = try await iv(12, minimum: 8, nonce: true)
                return CipherChoice(cipher: .aesGCM(iv: v, aad: aad, tagBits: tag * 8), generatedIV: made, tagLength: tag, hostPadding: nil)
            case nil:
                throw EngineError(.invalidField, "Cryptographic Parameters need a Block Cipher Mode")
            case let mode?:
                throw EngineError(.featureNotSupported, "Block Cipher Mode \(mode) is not supported for \(request.algorithm)")
            }
        case .rsa:
            if p.padding == .oaep {
                let hash = p.hashing ?? .sha1
                return CipherChoice(cipher: .rsaOAEP(hash: hash, mgfHash: p.maskGeneratorHashing ?? hash, label: p.pSource ?? []),
                                    generatedIV: nil, tagLength: nil, hostPadding: nil)
            }
            guard p.padding == nil || p.padding == .pkcs1V15 else {
                throw EngineError(.featureNotSupported, "RSA encryption with padding \(p.padding!) is not supported")
            }
            return CipherChoice(cipher: .rsaPKCS1, generatedIV: nil, tagLength: nil, hostPadding: nil)
        default:
            throw EngineError(.featureNotSupported, "encryption with \(request.algorithm) is not supported by this token")
        }
    }

    static func mayChooseNonce(_ key: ManagedObject, _ context: RequestContext) -> Bool {
        let policy = context.services.policy
        switch policy.clientNonces {
        case .accept: return true
        case .refuse: return false
        case .ifMayDecrypt:
            return key.usageMask & CryptographicUsageMaskBits.decrypt.rawValue != 0
                && policy.mayAccess(key, identity: context.identity, operation: .decrypt)
        }
    }

    static func pad(_ data: [UInt8], block: Int) -> [UInt8] {
        let n = block - data.count % block
        return data + [UInt8](repeating: UInt8(n), count: n)
    }

    static func unpad(_ data: [UInt8], block: Int) throws(EngineError) -> [UInt8] {
        guard let last = data.last, last > 0, Int(last) <= block, data.count >= Int(last),
              data.suffix(Int(last)).allSatisfy({ $0 == last }) else {
            throw EngineError(.cryptographicFailure, "bad PKCS#5 padding")
        }
        return Array(data.dropLast(Int(last)))
    }
}
