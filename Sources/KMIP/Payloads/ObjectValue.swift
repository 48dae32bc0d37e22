/// Key Material (KMIP 2.1 §2.1.4): a byte string (Raw, Opaque, PKCS#1, PKCS#8, X.509, EC Private Key),
/// or a transparent structure of components (Big Integers and Byte Strings by tag, and for EC keys the
/// curve).
public enum KeyMaterial: Sendable, Hashable {
    case bytes([UInt8])
    case transparent(TransparentKey)

    public var ttlv: TTLV {
        switch self {
        case .bytes(let b): return TTLV(.keyMaterial, .byteString(b))
        case .transparent(let t):
            var f = [TTLV]()
            if let curve = t.curve { f.append(TTLV(.recommendedCurve, .enumeration(curve.rawValue))) }
            f += t.components.map { TTLV($0.tag, $0.isBigInteger ? .bigInteger($0.value) : .byteString($0.value)) }
            return .structure(.keyMaterial, f)
        }
    }
}

public struct TransparentKey: Sendable, Hashable {
    public struct Component: Sendable, Hashable {
        public var tag: Tag
        public var value: [UInt8]
        /// Big Integer on the wire (else Byte String).
        public var isBigInteger: Bool
        public init(_ tag: Tag, _ value: [UInt8], isBigInteger: Bool = true) { self.tag = tag; self.value = value; self.isBigInteger = isBigInteger }
    }
    public var curve: RecommendedCurve?
    public var components: [Component]
    public init(curve: RecommendedCurve? = nil, components: [Component]) { self.curve = curve; self.components = components }
    public func component(_ tag: Tag) -> [UInt8]? { components.first { $0.tag == tag }?.value }
}

/// Key Value (KMIP 2.1 §2.1.4): the material with any attributes a 1.x client put inside it, or, when
/// the block is wrapped, the wrapped bytes: as the Byte String the spec's Key Block table names, or as
/// the Key Material of a Key Value structure, the No Encoding form PyKMIP reads and writes (1.4 §2.1.5
/// speaks of "the Key Value structure" of a No Encoding wrapped key).
public enum KeyValue: Sendable, Hashable {
    case plain(KeyMaterial, attributes: [Attribute])
    case wrapped([UInt8])
    case wrappedMaterial([UInt8])
    /// No Key Value: the object's metadata only, the key kept elsewhere (Key Value Location, 1.2+).
    case absent

    /// The wrapped bytes, in either form.
    public var wrappedBytes: [UInt8]? {
        switch self {
        case .wrapped(let b), .wrappedMaterial(let b): b
        case .plain, .absent: nil
        }
    }
}

/// Key Block (KMIP 2.1 §2.1.3).
public struct KeyBlock: Sendable, Hashable {
    public var formatType: KeyFormatType
    public var compressionType: KeyCompressionType?
    public var value: KeyValue
    public var algorithm: CryptographicAlgorithm?
    public var length: Int?
    public var wrappingData: KeyWrappingData?

    public init(formatType: KeyFormatType, value: KeyValue, algorithm: CryptographicAlgorithm? = nil, length: Int? = nil,
                wrappingData: KeyWrappingData? = nil) {
        self.formatType = formatType; self.value = value; self.algorithm = algorithm; self.length = length; self.wrappingData = wrappingData
    }

    public init(ttlv kb: TTLV) throws(KMIPCodecError) {
        formatType = try kb.required(.keyFormatType, KeyFormatType.self)
        compressionType = try kb.optional(.keyCompressionType, KeyCompressionType.self)
        algorithm = try kb.optional(.cryptographicAlgorithm, CryptographicAlgorithm.self)
        length = try kb.optionalInt(.cryptographicLength, in: 1...Int32.max)
        wrappingData = try kb.optionalStructure(.keyWrappingData).map { (t: TTLV) throws(KMIPCodecError) in try KeyWrappingData(ttlv: t) }
        guard let kv = kb.first(.keyValue) else { value = .absent; return }
        if case .byteString(let wrapped) = kv.value {
            value = .wrapped(wrapped)
            return
        }
        guard kv.itemType == .structure else { throw KMIPCodecError(.wrongType, "Key Value must be a Structure or Byte String", tag: .keyValue) }
        let km = try kv.required(.keyMaterial)
        let material: KeyMaterial
        switch km.value {
        case .byteString(let b): material = .bytes(b)
        case .structure(let children):
            var t = TransparentKey(components: [])
            for c in children {
                switch c.value {
                case .bigInteger(let b): t.components.append(.init(c.tag, b))
                case .byteString(let b): t.components.append(.init(c.tag, b, isBigInteger: false))
                case .enumeration(let e) where c.tag == .recommendedCurve: t.curve = RecommendedCurve(rawValue: e)
                default: throw KMIPCodecError(.wrongType, "Key Material field \(c.tag) must be a Big Integer or Byte String", tag: c.tag)
                }
            }
            material = .transparent(t)
        default: throw KMIPCodecError(.wrongType, "Key Material must be a Byte String or Structure", tag: .keyMaterial)
        }
        // A wrapped value sent inside Key Material: the bytes are still the wrapped key.
        if wrappingData != nil, case .bytes(let b) = material { value = .wrappedMaterial(b); return }
        var attributes = [Attribute]()
        for a in kv.all(.attribute) { attributes.append(try Attribute(v1: a)) }
        if let attrs = try kv.optionalStructure(.attributes) { attributes += try AttributeList.read(attrs) }
        value = .plain(material, attributes: attributes)
    }

    public var ttlv: TTLV {
        var c = [TTLV(.keyFormatType, .enumeration(formatType.rawValue))]
        if let k = compressionType { c.append(TTLV(.keyCompressionType, .enumeration(k.rawValue))) }
        switch value {
        case .wrapped(let bytes): c.append(TTLV(.keyValue, .byteString(bytes)))
        case .wrappedMaterial(let bytes): c.append(.structure(.keyValue, [TTLV(.keyMaterial, .byteString(bytes))]))
        case .absent: break
        case .plain(let material, let attributes):
            let kv = [material.ttlv] + attributes.map(\.v1)
            c.append(.structure(.keyValue, kv))
        }
        if let a = algorithm { c.append(TTLV(.cryptographicAlgorithm, .enumeration(a.rawValue))) }
        if let l = length { c.append(TTLV(.cryptographicLength, .integer(Int32(clamping: l)))) }
        if let w = wrappingData { c.append(w.ttlv) }
        return .structure(.keyBlock, c)
    }
}

/// The managed-object structures a request or response carries (KMIP 2.1 §2.2): what Register and
/// Import bring and Get and Export return.
public enum ObjectValue: Sendable, Hashable {
    case symmetricKey(KeyBlock)
    case publicKey(KeyBlock)
    case privateKey(KeyBlock)
    case secretData(SecretDataType, KeyBlock)
    case opaqueObject(OpaqueDataType, [UInt8])
    case certificate(CertificateType, [UInt8])
    case splitKey(SplitKey)

    public var objectType: ObjectType {
        switch self {
        case .symmetricKey: .symmetricKey
        case .publicKey: .publicKey
        case .privateKey: .privateKey
        case .secretData: .secretData
        case .opaqueObject: .opaqueObject
        case .certificate: .certificate
        case .splitKey: .splitKey
        }
    }

    /// The Secret Data Type of a Secret Data object; nil for other objects.
    public var secretDataType: SecretDataType? {
        if case .secretData(let t, _) = self { return t }
        return nil
    }

    public var keyBlock: KeyBlock? {
        switch self {
        case .symmetricKey(let b), .publicKey(let b), .privateKey(let b), .secretData(_, let b): b
        case .splitKey(let s): s.keyBlock
        case .opaqueObject, .certificate: nil
        }
    }

    /// The structure for `type` in `payload`; nil for object types kmipd does not hold (Template, PGP
    /// Key, Certificate Request), which the engine refuses by name.
    public init?(type: ObjectType, in payload: TTLV) throws(KMIPCodecError) {
        switch type {
        case .symmetricKey: self = .symmetricKey(try KeyBlock(ttlv: try payload.requiredStructure(.symmetricKey).requiredStructure(.keyBlock)))
        case .publicKey: self = .publicKey(try KeyBlock(ttlv: try payload.requiredStructure(.publicKey).requiredStructure(.keyBlock)))
        case .privateKey: self = .privateKey(try KeyBlock(ttlv: try payload.requiredStructure(.privateKey).requiredStructure(.keyBlock)))
        case .secretData:
            let s = try payload.requiredStructure(.secretData)
            self = .secretData(try s.required(.secretDataType, SecretDataType.self), try KeyBlock(ttlv: try s.requiredStructure(.keyBlock)))
        case .opaqueObject:
            let o = try payload.requiredStructure(.opaqueObject)
            self = .opaqueObject(try o.required(.opaqueDataType, OpaqueDataType.self), try o.requiredBytes(.opaqueDataValue))
        case .certificate:
            let c = try payload.requiredStructure(.certificate)
            // 1.x Certificate Type; 2.x keeps the name.
            self = .certificate(try c.required(.certificateType, CertificateType.self), try c.requiredBytes(.certificateValue))
        case .splitKey: self = .splitKey(try SplitKey(ttlv: try payload.requiredStructure(.splitKey)))
        default: return nil
        }
    }

    public var ttlv: TTLV {
        switch self {
        case .symmetricKey(let b): .structure(.symmetricKey, [b.ttlv])
        case .publicKey(let b): .structure(.publicKey, [b.ttlv])
        case .privateKey(let b): .structure(.privateKey, [b.ttlv])
        case .secretData(let t, let b): .structure(.secretData, [TTLV(.secretDataType, .enumeration(t.rawValue)), b.ttlv])
        case .opaqueObject(let t, let v):
            .structure(.opaqueObject, [TTLV(.opaqueDataType, .enumeration(t.rawValue)), TTLV(.opaqueDataValue, .byteString(v))])
        case .certificate(let t, let v):
            .structure(.certificate, [TTLV(.certificateType, .enumeration(t.rawValue)), TTLV(.certificateValue, .byteString(v))])
        case .splitKey(let s): s.ttlv
        }
    }
}
