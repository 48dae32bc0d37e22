import KMIP

/// Key Block, Symmetric Key, Secret Data and Opaque Object values (KMIP 2.1 §2.1.3, §2.2) as the token
/// takes and gives them.
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

    /// The material of a symmetric key, secret data or opaque object a Register request carries.
    public static func parse(_ value: ObjectValue) throws(EngineError) -> Parsed {
        switch value {
        case .symmetricKey(let block): return try keyBlock(block)
        case .secretData(let type, let block):
            var p = try keyBlock(block)
            p.secretDataType = type
            return p
        case .opaqueObject(let type, let bytes):
            return Parsed(material: bytes, algorithm: nil, lengthBits: nil, formatType: .opaque, secretDataType: nil,
                          opaqueDataType: type, embeddedAttributes: [])
        default:
            throw EngineError(.invalidObjectType, "Register of \(value.objectType) is not supported yet")
        }
    }

    static func keyBlock(_ kb: KeyBlock) throws(EngineError) -> Parsed {
        guard kb.wrappingData == nil, case .plain(let km, let embedded) = kb.value else {
            throw EngineError(.featureNotSupported, "registering wrapped key material is not supported yet")
        }
        let material: [UInt8]
        switch (kb.formatType, km) {
        case (.raw, .bytes(let b)), (.opaque, .bytes(let b)): material = b
        case (.raw, _), (.opaque, _): throw EngineError(.invalidField, "Key Material must be a Byte String for \(kb.formatType)")
        case (.transparentSymmetricKey, .transparent(let t)):
            guard let b = t.component(.key) else { throw EngineError(.invalidField, "Transparent Symmetric Key needs Key") }
            material = b
        case (.transparentSymmetricKey, _): throw EngineError(.invalidField, "Transparent Symmetric Key needs Key")
        default:
            throw EngineError(.keyFormatNotSupported, "Key Format Type \(kb.formatType) is not supported for this object")
        }
        return Parsed(material: material, algorithm: kb.algorithm, lengthBits: kb.length, formatType: kb.formatType,
                      secretDataType: nil, opaqueDataType: nil, embeddedAttributes: embedded)
    }

    /// The managed-object value for a Get response.
    public static func encode(_ object: ManagedObject, material: [UInt8], format: KeyFormatType) throws(EngineError) -> ObjectValue {
        switch object.objectType {
        case .opaqueObject:
            let t = object.first(.opaqueDataType)?.value.enumValue.map { OpaqueDataType(rawValue: $0) } ?? .unknown
            return .opaqueObject(t, material)
        case .secretData:
            let t = object.first(.secretDataType)?.value.enumValue.map { SecretDataType(rawValue: $0) } ?? .password
            guard format == .raw || format == .opaque else {
                throw EngineError(.keyFormatNotSupported, "secret data is returned as Raw or Opaque")
            }
            return .secretData(t, keyBlock(object, material, format: format))
        case .symmetricKey:
            guard format == .raw || format == .transparentSymmetricKey else {
                throw EngineError(.keyFormatNotSupported, "symmetric keys are returned as Raw or Transparent Symmetric Key")
            }
            return .symmetricKey(keyBlock(object, material, format: format))
        default:
            throw EngineError(.invalidObjectType, "Get of \(object.objectType) is not supported yet")
        }
    }

    static func keyBlock(_ object: ManagedObject, _ material: [UInt8], format: KeyFormatType) -> KeyBlock {
        let km: KeyMaterial = format == .transparentSymmetricKey
            ? .transparent(TransparentKey(components: [.init(.key, material, isBigInteger: false)]))
            : .bytes(material)
        return KeyBlock(formatType: format, value: .plain(km, attributes: []), algorithm: object.cryptographicAlgorithm,
                        length: object.cryptographicLength)
    }
}
