import KMIP

/// Key Block, Symmetric Key, Secret Data and Opaque Object payloads (KMIP 2.1 §2.1.3, §2.2).
public enum KeyBlockCodec {
    public struct Parsed: Sendable {
        public var material: [UInt8]
        public var algorithm: CryptographicAlgorithm?
        public var lengthBits: Int?
        public var formatType: KeyFormatType
        public var secretDataType: SecretDataType?
        public var opaqueDataType: OpaqueDataType?
        /// 1.x Register may carry attributes inside the Key Value.
        public var embeddedAttributes: [Attribute]
    }

    /// Reads the managed-object structure a Register request carries.
    public static func parse(objectType: ObjectType, payload: TTLV) throws(EngineError) -> Parsed {
        do {
            switch objectType {
            case .symmetricKey:
                return try keyBlock(try payload.required(.symmetricKey).required(.keyBlock))
            case .secretData:
                let s = try payload.required(.secretData)
                var p = try keyBlock(try s.required(.keyBlock))
                p.secretDataType = SecretDataType(rawValue: try s.requiredEnum(.secretDataType))
                return p
            case .opaqueObject:
                let o = try payload.required(.opaqueObject)
                guard let bytes = try o.required(.opaqueDataValue).bytes else {
                    throw EngineError(.invalidField, "Opaque Data Value must be a Byte String")
                }
                return Parsed(material: bytes, algorithm: nil, lengthBits: nil, formatType: .opaque, secretDataType: nil,
                              opaqueDataType: OpaqueDataType(rawValue: try o.requiredEnum(.opaqueDataType)), embeddedAttributes: [])
            default:
                throw EngineError(.invalidObjectType, "Register of \(objectType) is not supported yet")
            }
        } catch { throw EngineError.from(error) }
    }

    static func keyBlock(_ kb: TTLV) throws -> Parsed {
        let format = KeyFormatType(rawValue: try kb.requiredEnum(.keyFormatType))
        if kb.first(.keyWrappingData) != nil {
            throw EngineError(.featureNotSupported, "registering wrapped key material is not supported yet")
        }
        let kv = try kb.required(.keyValue)
        let km = try kv.required(.keyMaterial)
        let material: [UInt8]
        switch format {
        case .raw, .opaque:
            guard let b = km.bytes else { throw EngineError(.invalidField, "Key Material must be a Byte String for \(format)") }
            material = b
        case .transparentSymmetricKey:
            guard let b = km.first(.key)?.bytes else { throw EngineError(.invalidField, "Transparent Symmetric Key needs Key") }
            material = b
        default:
            throw EngineError(.keyFormatNotSupported, "Key Format Type \(format) is not supported for this object")
        }
        var embedded = [Attribute]()
        for a in kv.all(.attribute) { embedded.append(try Attribute(v1: a)) }
        if let attrs = kv.first(.attributes) { embedded += try AttributeList.read(attrs) }
        return Parsed(material: material,
                      algorithm: try kb.optionalEnum(.cryptographicAlgorithm).map(CryptographicAlgorithm.init(rawValue:)),
                      lengthBits: try kb.optionalInt(.cryptographicLength).map(Int.init), formatType: format,
                      secretDataType: nil, opaqueDataType: nil, embeddedAttributes: embedded)
    }

    /// The managed-object structure for a Get response.
    public static func encode(_ object: ManagedObject, material: [UInt8], format: KeyFormatType) throws(EngineError) -> TTLV {
        switch object.objectType {
        case .opaqueObject:
            let t = object.first(.opaqueDataType)?.value.enumValue ?? OpaqueDataType.unknown.rawValue
            return .structure(.opaqueObject, [TTLV(.opaqueDataType, .enumeration(t)), TTLV(.opaqueDataValue, .byteString(material))])
        case .secretData:
            let t = object.first(.secretDataType)?.value.enumValue ?? SecretDataType.password.rawValue
            guard format == .raw || format == .opaque else {
                throw EngineError(.keyFormatNotSupported, "secret data is returned as Raw or Opaque")
            }
            return .structure(.secretData, [TTLV(.secretDataType, .enumeration(t)), keyBlock(object, material, format: format)])
        case .symmetricKey:
            guard format == .raw || format == .transparentSymmetricKey else {
                throw EngineError(.keyFormatNotSupported, "symmetric keys are returned as Raw or Transparent Symmetric Key")
            }
            return .structure(.symmetricKey, [keyBlock(object, material, format: format)])
        default:
            throw EngineError(.invalidObjectType, "Get of \(object.objectType) is not supported yet")
        }
    }

    static func keyBlock(_ object: ManagedObject, _ material: [UInt8], format: KeyFormatType) -> TTLV {
        let km: TTLV = format == .transparentSymmetricKey
            ? .structure(.keyMaterial, [TTLV(.key, .byteString(material))])
            : TTLV(.keyMaterial, .byteString(material))
        var c = [TTLV(.keyFormatType, .enumeration(format.rawValue)), .structure(.keyValue, [km])]
        if let alg = object.first(.cryptographicAlgorithm)?.value.enumValue {
            c.append(TTLV(.cryptographicAlgorithm, .enumeration(alg)))
        }
        if let len = object.first(.cryptographicLength)?.value.int32 {
            c.append(TTLV(.cryptographicLength, .integer(len)))
        }
        return .structure(.keyBlock, c)
    }
}
