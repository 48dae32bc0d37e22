import KMIP

/// From Cryptographic Parameters to the cipher the token runs (KMIP 2.1 §4.15), with the IV rules:
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

    static func choose(_ request: CryptoRequest, iv given: [UInt8]?, aad: [UInt8], encrypt: Bool, _ token: any Token,
                       version: ProtocolVersion) async throws(EngineError) -> CipherChoice {
        let p = request.parameters
        if let g = given, g.isEmpty { throw EngineError(.invalidField, "an empty IV/Counter/Nonce is refused") }
        func iv(_ length: Int) async throws(EngineError) -> ([UInt8], [UInt8]?) {
            if let g = given { return (g, nil) }
            // The CS-BC test cases answer a decryption without its IV with Invalid Message.
            guard encrypt else { throw EngineError(.invalidMessage, "IV/Counter/Nonce is required to decrypt") }
            let made = try await token.random(count: p.ivLength.map { $0 / 8 } ?? length)
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
                let (v, made) = try await iv(16)
                return CipherChoice(cipher: .aesCTR(counterBlock: v, counterBits: p.counterLength ?? 32), generatedIV: made, tagLength: nil, hostPadding: nil)
            case .gcm? where request.algorithm == .aes:
                // The Authenticated Encryption Tag field is KMIP 1.4+: without it GCM cannot be checked.
                guard version >= .v1_4 else { throw EngineError(.featureNotSupported, "GCM needs KMIP 1.4 or later (Authenticated Encryption Tag)") }
                let tag = p.tagLength ?? 16
                // The CS-BC-GCM test cases answer an impossible tag length with General Failure.
                guard (4...16).contains(tag) else { throw EngineError(.generalFailure, "GCM Tag Length \(tag) is not 4 to 16 bytes") }
                let (v, made) = try await iv(12)
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
