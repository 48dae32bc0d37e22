/// Split Key (KMIP 2.1 §2.2.5): one share of a key split by the method named, with the share's own
/// Key Block. kmipd stores shares (Register, Get); it does not create or join them.
public struct SplitKey: Sendable, Hashable {
    public var parts: Int
    public var keyPartIdentifier: Int
    public var threshold: Int
    public var method: SplitKeyMethod
    /// Big Integer bytes, for the polynomial-sharing-in-a-prime-field method.
    public var primeFieldSize: [UInt8]?
    public var keyBlock: KeyBlock

    public init(parts: Int, keyPartIdentifier: Int, threshold: Int, method: SplitKeyMethod, primeFieldSize: [UInt8]?, keyBlock: KeyBlock) {
        self.parts = parts; self.keyPartIdentifier = keyPartIdentifier; self.threshold = threshold
        self.method = method; self.primeFieldSize = primeFieldSize; self.keyBlock = keyBlock
    }

    /// Reads the fields of a Split Key structure; the counts must describe a possible split (at most
    /// 255 parts, as the GF(2^8) method allows; a threshold and an identifier within them).
    public init(ttlv s: TTLV) throws(KMIPCodecError) {
        parts = try s.requiredInt(.splitKeyParts, in: 1...255)
        keyPartIdentifier = try s.requiredInt(.keyPartIdentifier, in: 1...255)
        threshold = try s.requiredInt(.splitKeyThreshold, in: 1...255)
        guard keyPartIdentifier <= parts, threshold <= parts else {
            throw KMIPCodecError(.invalidValue, "Key Part Identifier and Split Key Threshold must be at most Split Key Parts (\(parts))", tag: .splitKey)
        }
        method = try s.required(.splitKeyMethod, SplitKeyMethod.self)
        if let p = s.first(.primeFieldSize) {
            guard case .bigInteger(let b) = p.value else { throw KMIPCodecError(.wrongType, "Prime Field Size must be a Big Integer", tag: .primeFieldSize) }
            primeFieldSize = b
        }
        keyBlock = try KeyBlock(ttlv: try s.requiredStructure(.keyBlock))
    }

    public var ttlv: TTLV {
        var c = [TTLV(.splitKeyParts, .integer(Int32(parts))), TTLV(.keyPartIdentifier, .integer(Int32(keyPartIdentifier))),
                 TTLV(.splitKeyThreshold, .integer(Int32(threshold))), TTLV(.splitKeyMethod, .enumeration(method.rawValue))]
        if let p = primeFieldSize { c.append(TTLV(.primeFieldSize, .bigInteger(p))) }
        c.append(keyBlock.ttlv)
        return .structure(.splitKey, c)
    }
}
