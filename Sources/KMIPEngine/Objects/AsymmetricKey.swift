import KMIP

/// The numbers of an RSA or DSA key, as unsigned big-endian magnitudes (no sign byte). The engine
/// converts between these and the KMIP key formats; the token stores them as PKCS#11 attributes.
public enum AsymmetricKey: Sendable, Hashable {
    case rsaPublic(modulus: [UInt8], publicExponent: [UInt8])
    case rsaPrivate(RSAPrivate)
    case dsaPublic(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8])
    case dsaPrivate(p: [UInt8], q: [UInt8], g: [UInt8], x: [UInt8])

    public struct RSAPrivate: Sendable, Hashable {
        public var modulus, publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient: [UInt8]
        public init(modulus: [UInt8], publicExponent: [UInt8], privateExponent: [UInt8], prime1: [UInt8], prime2: [UInt8],
                    exponent1: [UInt8], exponent2: [UInt8], coefficient: [UInt8]) {
            self.modulus = modulus; self.publicExponent = publicExponent; self.privateExponent = privateExponent
            self.prime1 = prime1; self.prime2 = prime2; self.exponent1 = exponent1; self.exponent2 = exponent2
            self.coefficient = coefficient
        }
    }

    public var isPrivate: Bool {
        switch self {
        case .rsaPrivate, .dsaPrivate: true
        default: false
        }
    }
    public var algorithm: CryptographicAlgorithm {
        switch self {
        case .rsaPublic, .rsaPrivate: .rsa
        case .dsaPublic, .dsaPrivate: .dsa
        }
    }
    /// Cryptographic Length: the modulus (RSA) or P (DSA) in bits.
    public var lengthBits: Int {
        switch self {
        case .rsaPublic(let n, _): Self.bits(n)
        case .rsaPrivate(let k): Self.bits(k.modulus)
        case .dsaPublic(let p, _, _, _), .dsaPrivate(let p, _, _, _): Self.bits(p)
        }
    }

    /// Strips leading zero bytes (sign padding) from a big-endian magnitude.
    public static func magnitude<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] {
        let trimmed = Array(bytes.drop { $0 == 0 })
        return trimmed.isEmpty ? [0] : trimmed
    }
    static func bits(_ m: [UInt8]) -> Int {
        let t = magnitude(m)
        guard let first = t.first, first != 0 else { return 0 }
        return (t.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
    /// A magnitude as a positive KMIP Big Integer (a zero byte first when the high bit is set).
    static func positive(_ m: [UInt8]) -> [UInt8] {
        let t = magnitude(m)
        return (t.first ?? 0) & 0x80 != 0 ? [0] + t : t
    }
}
