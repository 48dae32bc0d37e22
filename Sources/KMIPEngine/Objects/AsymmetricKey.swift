import KMIP

/// The numbers of an RSA or DSA key, as unsigned big-endian magnitudes (no sign byte). The engine
/// converts between these and the KMIP key formats; the token stores them as PKCS#11 attributes.
public enum AsymmetricKey: Sendable, Hashable {
    case rsaPublic(modulus: [UInt8], publicExponent: [UInt8])
    case rsaPrivate(RSAPrivate)
    case dsaPublic(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8])
    case dsaPrivate(p: [UInt8], q: [UInt8], g: [UInt8], x: [UInt8])
    /// An uncompressed point (04 ‖ X ‖ Y) on a named curve.
    case ecPublic(curve: ECCurve, point: [UInt8])
    /// The private scalar d, with the public point when known.
    case ecPrivate(curve: ECCurve, d: [UInt8], point: [UInt8]?)
    /// A 32-byte Ed25519 public key (RFC 8410). Ed25519 private keys are generated in the token and
    /// never leave it, so they have no components here.
    case ed25519Public([UInt8])

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
        case .rsaPrivate, .dsaPrivate, .ecPrivate: true
        default: false
        }
    }
    public var algorithm: CryptographicAlgorithm {
        switch self {
        case .rsaPublic, .rsaPrivate: .rsa
        case .dsaPublic, .dsaPrivate: .dsa
        case .ecPublic, .ecPrivate: .ec
        case .ed25519Public: .ed25519
        }
    }
    /// Cryptographic Length: the modulus (RSA) or P (DSA) in bits.
    public var lengthBits: Int {
        switch self {
        case .rsaPublic(let n, _): Self.bits(n)
        case .rsaPrivate(let k): Self.bits(k.modulus)
        case .dsaPublic(let p, _, _, _), .dsaPrivate(let p, _, _, _): Self.bits(p)
        case .ecPublic(let c, _), .ecPrivate(let c, _, _): c.bits
        case .ed25519Public: 256
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

/// The named curves kmipd generates and imports (SEC 2 / FIPS 186-4 prime curves).
public enum ECCurve: String, Sendable, Hashable, CaseIterable {
    case p256, p384, p521

    public var bits: Int { switch self { case .p256: 256; case .p384: 384; case .p521: 521 } }
    /// Bytes of one coordinate or of the scalar.
    public var size: Int { (bits + 7) / 8 }
    public var recommendedCurve: RecommendedCurve { switch self { case .p256: .p256; case .p384: .p384; case .p521: .p521 } }
    public init?(_ rc: RecommendedCurve) {
        guard let c = Self.allCases.first(where: { $0.recommendedCurve == rc }) else { return nil }
        self = c
    }
    public init?(bits: Int) {
        guard let c = Self.allCases.first(where: { $0.bits == bits }) else { return nil }
        self = c
    }
    /// The namedCurve OID arcs.
    var oid: [UInt] {
        switch self {
        case .p256: [1, 2, 840, 10045, 3, 1, 7]
        case .p384: [1, 3, 132, 0, 34]
        case .p521: [1, 3, 132, 0, 35]
        }
    }
    /// DER of the OID (CKA_EC_PARAMS).
    public var parametersDER: [UInt8] {
        switch self {
        case .p256: [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        case .p384: [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]
        case .p521: [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23]
        }
    }
    public init?(parametersDER: [UInt8]) {
        guard let c = Self.allCases.first(where: { $0.parametersDER == parametersDER }) else { return nil }
        self = c
    }
}
