import KMIP

/// Public and private key blocks in the KMIP key formats (KMIP 2.1 §2.1.7, §2.1.8; Key Format Type
/// §11.25): PKCS#1, PKCS#8, X.509 (SubjectPublicKeyInfo) and the Transparent RSA/DSA structures.
enum AsymmetricKeyBlock {
    /// The key, and the DER form its bytes really are in when that differs from the Key Format Type the
    /// client gave: real clients label PKCS#1 bytes PKCS#8, or DER Raw. What is unambiguous (one of the
    /// DER forms for this kind of key parses, whole) is accepted; anything else is refused as before.
    static func parse(_ kb: KeyBlock, objectType: ObjectType) throws(EngineError) -> (key: AsymmetricKey, encoding: KeyFormatType?) {
        do {
            return (try parseAsDeclared(kb, objectType: objectType), nil)
        } catch {
            guard case .plain(.bytes(let der), _) = kb.value, kb.wrappingData == nil,
                  [.raw, .pkcs1, .pkcs8, .x509, .eCPrivateKey].contains(kb.formatType) else { throw error }
            let forms: [KeyFormatType] = objectType == .privateKey ? [.pkcs8, .pkcs1, .eCPrivateKey] : [.x509, .pkcs1]
            for form in forms where form != kb.formatType {
                var relabelled = kb
                relabelled.formatType = form
                if let key = try? parseAsDeclared(relabelled, objectType: objectType), (try? reencoded(key, form)) == der {
                    return (key, form)
                }
            }
            throw error
        }
    }

    /// The same key in `form`, to check that the bytes were that form and nothing more.
    static func reencoded(_ key: AsymmetricKey, _ form: KeyFormatType) throws -> [UInt8]? {
        switch form {
        case .pkcs1: try KeyDER.pkcs1(key)
        case .pkcs8: try KeyDER.privateKeyInfo(key)
        case .x509: try KeyDER.publicKeyInfo(key)
        case .eCPrivateKey: try KeyDER.ecPrivateKey(key)
        default: nil
        }
    }

    static func parseAsDeclared(_ kb: KeyBlock, objectType: ObjectType) throws(EngineError) -> AsymmetricKey {
        let format = kb.formatType
        guard kb.wrappingData == nil, case .plain(let km, _) = kb.value else {
            throw EngineError(.featureNotSupported, "registering wrapped keys is not supported yet")
        }
        let key: AsymmetricKey
        do {
            switch format {
            case .pkcs1:
                let der = try bytes(km)
                key = objectType == .privateKey ? try KeyDER.rsaPrivatePKCS1(der) : try KeyDER.rsaPublicPKCS1(der)
            case .pkcs8 where objectType == .privateKey: key = try KeyDER.privateKeyInfo(try bytes(km))
            case .x509 where objectType == .publicKey: key = try KeyDER.publicKeyInfo(try bytes(km))
            case .transparentRSAPublicKey where objectType == .publicKey:
                key = .rsaPublic(modulus: try big(km, .modulus), publicExponent: try big(km, .publicExponent))
            case .transparentRSAPrivateKey where objectType == .privateKey:
                key = .rsaPrivate(.init(modulus: try big(km, .modulus), publicExponent: try big(km, .publicExponent),
                                        privateExponent: try big(km, .privateExponent), prime1: try big(km, .p), prime2: try big(km, .q),
                                        exponent1: try big(km, .primeExponentP), exponent2: try big(km, .primeExponentQ),
                                        coefficient: try big(km, .crtCoefficient)))
            case .transparentDSAPublicKey where objectType == .publicKey:
                key = .dsaPublic(p: try big(km, .p), q: try big(km, .q), g: try big(km, .g), y: try big(km, .y))
            case .transparentDSAPrivateKey where objectType == .privateKey:
                key = .dsaPrivate(p: try big(km, .p), q: try big(km, .q), g: try big(km, .g), x: try big(km, .x))
            case .eCPrivateKey where objectType == .privateKey: key = try KeyDER.ecPrivateKey(try bytes(km), curve: nil)
            case .transparentECPublicKey, .transparentECDSAPublicKey, .transparentECDHPublicKey:
                guard objectType == .publicKey, case .transparent(let t) = km, let q = t.component(.qString) else {
                    throw EngineError(.invalidField, "Q String missing")
                }
                key = .ecPublic(curve: try curve(km), point: q)
            case .transparentECPrivateKey, .transparentECDSAPrivateKey, .transparentECDHPrivateKey:
                guard objectType == .privateKey else { throw EngineError(.invalidField, "not a private key format") }
                key = .ecPrivate(curve: try curve(km), d: try big(km, .d), point: nil)
            default:
                throw EngineError(.keyFormatNotSupported, "Key Format Type \(format) is not supported for a \(objectType)")
            }
        } catch let e as EngineError { throw e } catch {
            throw EngineError(.invalidField, "key material is not a valid \(format) \(objectType): \(error)")
        }
        guard key.isPrivate == (objectType == .privateKey) else { throw EngineError(.invalidField, "key material does not match \(objectType)") }
        return key
    }

    static func curve(_ km: KeyMaterial) throws -> ECCurve {
        guard case .transparent(let t) = km, let named = t.curve, let c = ECCurve(named) else {
            throw EngineError(.featureNotSupported, "unsupported or missing Recommended Curve")
        }
        return c
    }

    static func bytes(_ km: KeyMaterial) throws -> [UInt8] {
        guard case .bytes(let b) = km else { throw EngineError(.invalidField, "Key Material must be a Byte String") }
        return b
    }
    static func big(_ km: KeyMaterial, _ tag: Tag) throws -> [UInt8] {
        guard case .transparent(let t) = km, let b = t.component(tag) else { throw EngineError(.invalidField, "Key Material lacks \(tag)") }
        return AsymmetricKey.magnitude(b)
    }

    /// The format a key is returned in when nobody asked for one (KMIP 2.1 §4.26 defaults).
    static func defaultFormat(_ key: AsymmetricKey) -> KeyFormatType {
        switch key {
        case .ecPublic, .ed25519Public: .x509
        case .ecPrivate: .pkcs8
        case .dsaPublic: .x509
        case .dsaPrivate: .pkcs8
        default: .pkcs1
        }
    }

    /// The key block for Get, in `format` (the registered one unless the client asks for another),
    /// labelled `label` when the client registered these bytes under another Key Format Type.
    static func encode(_ key: AsymmetricKey, format: KeyFormatType, label: KeyFormatType? = nil, object: ManagedObject) throws(EngineError) -> ObjectValue {
        func bigs(_ pairs: [(Tag, [UInt8])]) -> KeyMaterial {
            .transparent(TransparentKey(components: pairs.map { .init($0.0, AsymmetricKey.positive($0.1)) }))
        }
        let material: KeyMaterial
        do {
            switch (format, key) {
            case (.pkcs1, .rsaPublic), (.pkcs1, .rsaPrivate): material = .bytes(try KeyDER.pkcs1(key))
            case (.pkcs8, _) where key.isPrivate: material = .bytes(try KeyDER.privateKeyInfo(key))
            case (.x509, _) where !key.isPrivate: material = .bytes(try KeyDER.publicKeyInfo(key))
            case (.transparentRSAPublicKey, .rsaPublic(let n, let e)): material = bigs([(.modulus, n), (.publicExponent, e)])
            case (.transparentRSAPrivateKey, .rsaPrivate(let k)):
                material = bigs([(.modulus, k.modulus), (.privateExponent, k.privateExponent), (.publicExponent, k.publicExponent),
                                 (.p, k.prime1), (.q, k.prime2), (.primeExponentP, k.exponent1), (.primeExponentQ, k.exponent2),
                                 (.crtCoefficient, k.coefficient)])
            case (.transparentDSAPublicKey, .dsaPublic(let p, let q, let g, let y)): material = bigs([(.p, p), (.q, q), (.g, g), (.y, y)])
            case (.transparentDSAPrivateKey, .dsaPrivate(let p, let q, let g, let x)): material = bigs([(.p, p), (.q, q), (.g, g), (.x, x)])
            case (.eCPrivateKey, .ecPrivate): material = .bytes(try KeyDER.ecPrivateKey(key))
            case (.transparentECPublicKey, .ecPublic(let c, let point)), (.transparentECDSAPublicKey, .ecPublic(let c, let point)):
                material = .transparent(TransparentKey(curve: c.recommendedCurve, components: [.init(.qString, point, isBigInteger: false)]))
            case (.transparentECPrivateKey, .ecPrivate(let c, let d, _)), (.transparentECDSAPrivateKey, .ecPrivate(let c, let d, _)):
                material = .transparent(TransparentKey(curve: c.recommendedCurve, components: [.init(.d, AsymmetricKey.positive(d))]))
            default: throw EngineError(.keyFormatNotSupported, "cannot return this \(key.algorithm) key as \(format)")
            }
        } catch let e as EngineError { throw e } catch { throw EngineError(.cryptographicFailure, "encoding the key failed: \(error)") }
        let block = KeyBlock(formatType: label ?? format, value: .plain(material, attributes: []), algorithm: key.algorithm, length: key.lengthBits)
        return object.objectType == .privateKey ? .privateKey(block) : .publicKey(block)
    }
}
