import KMIP

/// The value Derive Key imports for the methods the token has no C_DeriveKey mechanism for (KMIP 2.1
/// §6.1.14, §7.12): HASH, HMAC, HKDF, PBKDF2, NIST SP 800-108 counter mode, and ENCRYPT into Secret
/// Data. Only the derived value passes through kmipd's memory, unless the base is a value that may
/// leave the token anyway (Extractable and not Sensitive, as Get requires): then its value is read
/// and the function runs on the host. A base that may not leave is used where it is, through C_Sign
/// (HMAC), C_DigestKey (HASH with SHA-256) or C_Encrypt (ENCRYPT).
enum DerivedSecret {
    static func compute(_ request: DeriveKeyRequest, base: ManagedObject, bytes: Int, _ context: RequestContext) async throws(EngineError) -> [UInt8] {
        let token = context.services.token
        let dp = request.parameters
        let data = dp.derivationData
        let readable = (base.objectType == .symmetricKey || base.objectType == .secretData) && base.extractable && !base.sensitive
        let baseValue: [UInt8]? = readable ? try await token.readValue(id: base.uid) : nil
        let hash = try hashing(request, base)
        func prf() throws(EngineError) -> KeyDerivationFunctions.PRF {
            if let baseValue { return try KeyDerivationFunctions.hostPRF(hash, key: baseValue) }
            guard base.objectType == .symmetricKey else {
                throw EngineError(.featureNotSupported, "\(request.method) needs the base's value, and \(base.uid) may not leave the token")
            }
            let uid = base.uid
            return { (d: [UInt8]) async throws(EngineError) -> [UInt8] in try await token.sign(id: uid, mechanism: .hmac(hash), data: d) }
        }
        func atMost(_ out: [UInt8]) throws(EngineError) -> [UInt8] {
            guard bytes <= out.count else { throw EngineError(.invalidField, "\(request.method) derives \(out.count * 8) bits; \(bytes * 8) were asked for") }
            return Array(out.prefix(bytes))
        }
        switch request.method {
        case .encrypt:
            guard let data, !data.isEmpty else { throw EngineError(.invalidField, "ENCRYPT derivation needs Derivation Data") }
            try checkAES(base, dp)
            let cipher: Cipher
            switch dp.cryptographicParameters?.blockCipherMode {
            case nil, .ecb?: cipher = .aesECB
            case .cbc?:
                guard let iv = dp.initializationVector, iv.count == 16 else { throw EngineError(.invalidField, "CBC derivation needs a 16-byte Initialization Vector") }
                cipher = .aesCBC(iv: iv, pad: dp.cryptographicParameters?.padding == .pkcs5)
            case let m?: throw EngineError(.featureNotSupported, "ENCRYPT derivation with \(m) is not supported (ECB, CBC are)")
            }
            if case .aesECB = cipher, data.count % 16 != 0 { throw EngineError(.invalidField, "ECB derivation needs whole 16-byte blocks of Derivation Data") }
            return try atMost(try await token.encrypt(id: base.uid, cipher: cipher, data: data))
        case .hash:
            // KMIP 2.1 §7.12: a hash over the derivation key or over the Derivation Data.
            if let data { return try atMost(try KeyDerivationFunctions.digest(hash, data)) }
            if let baseValue { return try atMost(try KeyDerivationFunctions.digest(hash, baseValue)) }
            guard hash == .sha256, let digest = try await token.sha256(id: base.uid) else {
                throw EngineError(.featureNotSupported, "HASH of a base that may not leave the token is SHA-256 only (C_DigestKey)")
            }
            return try atMost(digest)
        case .hmac where dp.salt != nil:
            // PyKMIP sends HMAC with a Salt and means HKDF (RFC 5869), as its server computes it; the
            // spec's HMAC has no salt, so a salt given says which one the client wants.
            fallthrough
        case .hkdf:
            guard let baseValue else { throw EngineError(.featureNotSupported, "HKDF needs the base's value, and \(base.uid) may not leave the token") }
            return try KeyDerivationFunctions.hkdf(hash, base: baseValue, salt: dp.salt ?? [], info: data ?? [], bytes: bytes)
        case .hmac:
            return try await KeyDerivationFunctions.hmac(try prf(), data: data ?? [], bytes: bytes)
        case .pbkdf2:
            guard let salt = dp.salt, let iterations = dp.iterationCount else {
                throw EngineError(.invalidField, "PBKDF2 needs Salt and Iteration Count")
            }
            return try await KeyDerivationFunctions.pbkdf2(try prf(), salt: salt, iterations: iterations, bytes: bytes)
        case .nist800108C:
            return try await KeyDerivationFunctions.counterMode(try prf(), fixed: data ?? [], bytes: bytes)
        case .asymmetricKey:
            throw EngineError(.featureNotSupported, "ECDH derives Symmetric Keys only")
        default:
            throw EngineError(.featureNotSupported, "Derivation Method \(request.method) is not supported")
        }
    }

    /// The PRF's hash: the request's Hashing Algorithm, else the base's HMAC algorithm, else SHA-256
    /// (HKDF's default, §7.12) or SHA-1 (PBKDF2's, RFC 8018).
    static func hashing(_ request: DeriveKeyRequest, _ base: ManagedObject) throws(EngineError) -> HashingAlgorithm {
        if let h = request.parameters.cryptographicParameters?.hashing { return h }
        switch base.cryptographicAlgorithm {
        case .hmacSHA1?: return .sha1
        case .hmacSHA256?: return .sha256
        case .hmacSHA384?: return .sha384
        case .hmacSHA512?: return .sha512
        default: return request.method == .pbkdf2 ? .sha1 : .sha256
        }
    }

    /// ENCRYPT derivation runs AES in the token; other ciphers are not there.
    static func checkAES(_ base: ManagedObject, _ dp: DerivationParameters) throws(EngineError) {
        let alg = dp.cryptographicParameters?.algorithm ?? base.cryptographicAlgorithm
        guard base.objectType == .symmetricKey, alg == nil || alg == .aes else {
            throw EngineError(.featureNotSupported, "ENCRYPT derivation with \(alg.map { "\($0)" } ?? "\(base.objectType)") is not supported: the token derives with AES")
        }
    }
}
