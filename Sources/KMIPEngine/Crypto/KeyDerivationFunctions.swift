import Crypto
import _CryptoExtras
import KMIP

/// The hash-based Derivation Methods of KMIP 2.1 §11.14 (Derivation Parameters §7.12), written over one
/// keyed pseudorandom function, HMAC with the base key: the same code runs with the base's value on
/// the host (a value that may leave the token anyway) or in the token (C_Sign with the base key).
enum KeyDerivationFunctions {
    /// HMAC(base key, data).
    typealias PRF = ([UInt8]) async throws(EngineError) -> [UInt8]

    /// At most this much is derived in one request (4 KiB): enough for any key or key-and-IV set.
    static let maximumOutputBytes = 4096
    /// PBKDF2 iterations kmipd runs for one request: a client may not buy minutes of server CPU.
    static let maximumIterations = 1_000_000

    /// HMAC: one HMAC over the Derivation Data; asking for more than one output is an error (§6.1.14).
    static func hmac(_ prf: PRF, data: [UInt8], bytes: Int) async throws(EngineError) -> [UInt8] {
        let out = try await prf(data)
        guard bytes <= out.count else {
            throw EngineError(.invalidField, "HMAC derives \(out.count * 8) bits; \(bytes * 8) were asked for")
        }
        return Array(out.prefix(bytes))
    }

    /// NIST SP 800-108 counter mode, the 32-bit counter before the fixed data (the Derivation Data,
    /// Label || 0x00 || Context as the client built it).
    static func counterMode(_ prf: PRF, fixed: [UInt8], bytes: Int) async throws(EngineError) -> [UInt8] {
        var out = [UInt8]()
        var i: UInt32 = 1
        while out.count < bytes {
            out += try await prf([UInt8(i >> 24), UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)] + fixed)
            i += 1
        }
        return Array(out.prefix(bytes))
    }

    /// PBKDF2 (RFC 8018 §5.2) with HMAC keyed by the password, the base object.
    static func pbkdf2(_ prf: PRF, salt: [UInt8], iterations: Int, bytes: Int) async throws(EngineError) -> [UInt8] {
        guard iterations <= maximumIterations else {
            throw EngineError(.invalidField, "Iteration Count \(iterations) is over kmipd's limit of \(maximumIterations)")
        }
        var out = [UInt8]()
        var block: UInt32 = 1
        while out.count < bytes {
            var u = try await prf(salt + [UInt8(block >> 24), UInt8(block >> 16 & 0xFF), UInt8(block >> 8 & 0xFF), UInt8(block & 0xFF)])
            var t = u
            if iterations > 1 {
                for _ in 2...iterations {
                    u = try await prf(u)
                    for j in t.indices { t[j] ^= u[j] }
                }
            }
            out += t
            block += 1
        }
        return Array(out.prefix(bytes))
    }

    /// HKDF (RFC 5869): the base is the input keying material, so it must be on the host.
    static func hkdf(_ hash: HashingAlgorithm, base: [UInt8], salt: [UInt8], info: [UInt8], bytes: Int) throws(EngineError) -> [UInt8] {
        let ikm = SymmetricKey(data: base)
        func run<H: HashFunction>(_: H.Type) -> [UInt8] {
            HKDF<H>.deriveKey(inputKeyMaterial: ikm, salt: salt, info: info, outputByteCount: bytes).withUnsafeBytes { Array($0) }
        }
        switch hash {
        case .sha1: return run(Insecure.SHA1.self)
        case .sha256: return run(SHA256.self)
        case .sha384: return run(SHA384.self)
        case .sha512: return run(SHA512.self)
        default: throw EngineError(.featureNotSupported, "HKDF with \(hash) is not supported (SHA-1, SHA-256/384/512 are)")
        }
    }

    /// HMAC with a key held on the host.
    static func hostPRF(_ hash: HashingAlgorithm, key: [UInt8]) throws(EngineError) -> PRF {
        let k = SymmetricKey(data: key)
        func mac<H: HashFunction>(_: H.Type) -> PRF { { data in Array(HMAC<H>.authenticationCode(for: data, using: k)) } }
        switch hash {
        case .sha1: return mac(Insecure.SHA1.self)
        case .sha256: return mac(SHA256.self)
        case .sha384: return mac(SHA384.self)
        case .sha512: return mac(SHA512.self)
        default: throw EngineError(.featureNotSupported, "HMAC with \(hash) is not supported (SHA-1, SHA-256/384/512 are)")
        }
    }

    /// A hash of `data` on the host (the HASH method over a value that may leave the token).
    static func digest(_ hash: HashingAlgorithm, _ data: [UInt8]) throws(EngineError) -> [UInt8] {
        switch hash {
        case .md5: return Array(Insecure.MD5.hash(data: data))
        case .sha1: return Array(Insecure.SHA1.hash(data: data))
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha384: return Array(SHA384.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        default: throw EngineError(.featureNotSupported, "HASH with \(hash) is not supported (MD5, SHA-1, SHA-256/384/512 are)")
        }
    }
}
