/// Cryptographic Parameters (KMIP 2.1 §4.16; 1.4 §3.6). Every length is range-checked while decoding:
/// lengths become allocations and CK_ULONGs in the token. IV and counter lengths are in bits, tag and
/// salt lengths in bytes; the mode-specific rules are the engine's.
public struct CryptographicParameters: Sendable, Hashable {
    public var blockCipherMode: BlockCipherMode?
    public var padding: PaddingMethod?
    public var hashing: HashingAlgorithm?
    public var keyRoleType: KeyRoleType?
    public var signatureAlgorithm: DigitalSignatureAlgorithm?
    public var algorithm: CryptographicAlgorithm?
    public var randomIV: Bool?
    public var ivLength: Int?
    public var tagLength: Int?
    public var fixedFieldLength: Int?
    public var invocationFieldLength: Int?
    public var counterLength: Int?
    public var initialCounterValue: Int?
    public var saltLength: Int?
    public var maskGenerator: MaskGenerator?
    public var maskGeneratorHashing: HashingAlgorithm?
    public var pSource: [UInt8]?
    public var trailerField: Int?

    /// IV Length in bits: one byte to 128 bytes (GCM allows long IVs; nothing needs more).
    public static let ivBits: ClosedRange<Int32> = 8...1024

    public init() {}

    public init(ttlv t: TTLV) throws(KMIPCodecError) {
        guard t.itemType == .structure else { throw KMIPCodecError(.wrongType, "Cryptographic Parameters must be a Structure", tag: t.tag) }
        blockCipherMode = try t.optional(.blockCipherMode, BlockCipherMode.self)
        padding = try t.optional(.paddingMethod, PaddingMethod.self)
        hashing = try t.optional(.hashingAlgorithm, HashingAlgorithm.self)
        keyRoleType = try t.optional(.keyRoleType, KeyRoleType.self)
        signatureAlgorithm = try t.optional(.digitalSignatureAlgorithm, DigitalSignatureAlgorithm.self)
        algorithm = try t.optional(.cryptographicAlgorithm, CryptographicAlgorithm.self)
        randomIV = try t.optionalBool(.randomIV)
        ivLength = try t.optionalInt(.ivLength, in: Self.ivBits)
        tagLength = try t.optionalInt(.tagLength, in: 0...255)
        fixedFieldLength = try t.optionalInt(.fixedFieldLength, in: 0...1024)
        invocationFieldLength = try t.optionalInt(.invocationFieldLength, in: 0...1024)
        counterLength = try t.optionalInt(.counterLength, in: 1...128)
        initialCounterValue = try t.optionalInt(.initialCounterValue, in: 0...Int32.max)
        saltLength = try t.optionalInt(.saltLength, in: 0...1024)
        maskGenerator = try t.optional(.maskGenerator, MaskGenerator.self)
        maskGeneratorHashing = try t.optional(.maskGeneratorHashingAlgorithm, HashingAlgorithm.self)
        pSource = try t.optionalBytes(.pSource)
        trailerField = try t.optionalInt(.trailerField, in: 0...255)
        if let bits = ivLength, bits % 8 != 0 {
            throw KMIPCodecError(.invalidValue, "IV Length \(bits) is not a whole number of bytes", tag: .ivLength)
        }
    }

    /// An optional Cryptographic Parameters child of `parent`.
    public init?(in parent: TTLV) throws(KMIPCodecError) {
        guard let t = parent.first(.cryptographicParameters) else { return nil }
        try self.init(ttlv: t)
    }

    public var ttlv: TTLV {
        var b = PayloadBuilder()
        b.add(.blockCipherMode, blockCipherMode)
        b.add(.paddingMethod, padding)
        b.add(.hashingAlgorithm, hashing)
        b.add(.keyRoleType, keyRoleType)
        b.add(.digitalSignatureAlgorithm, signatureAlgorithm)
        b.add(.cryptographicAlgorithm, algorithm)
        b.add(.randomIV, bool: randomIV)
        b.add(.ivLength, int: ivLength)
        b.add(.tagLength, int: tagLength)
        b.add(.fixedFieldLength, int: fixedFieldLength)
        b.add(.invocationFieldLength, int: invocationFieldLength)
        b.add(.counterLength, int: counterLength)
        b.add(.initialCounterValue, int: initialCounterValue)
        b.add(.saltLength, int: saltLength)
        b.add(.maskGenerator, maskGenerator)
        b.add(.maskGeneratorHashingAlgorithm, maskGeneratorHashing)
        b.add(.pSource, bytes: pSource)
        b.add(.trailerField, int: trailerField)
        return b.structure(.cryptographicParameters)
    }
}
