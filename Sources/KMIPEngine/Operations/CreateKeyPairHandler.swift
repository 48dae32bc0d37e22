import Foundation
import KMIP

/// Create Key Pair (KMIP 2.1 §6.1.9; 1.4 §4.2): RSA 2048/3072/4096 or EC P-256/384/521, generated in
/// the token. Common attributes apply to both halves, per-half ones to one; the halves link to each
/// other. The private key is non-extractable unless the request says otherwise.
struct CreateKeyPairHandler: OperationHandler {
    func handle(_ request: CreateKeyPairRequest, _ context: RequestContext) async throws(EngineError) -> KeyPairResponse {
        let (common, privateOnly, publicOnly) = try Self.attributeLists(request.attributes)
        let all = common + privateOnly + publicOnly
        guard let algorithm = all.cryptographicAlgorithm else {
            throw EngineError(.invalidField, "Create Key Pair needs Cryptographic Algorithm")
        }
        let length = all.first(.cryptographicLength)?.value.int32.map(Int.init)
        let kind = try Self.kind(algorithm, length: length, domain: all.first(.cryptographicDomainParameters)?.value,
                                 curveAttribute: all.first(.recommendedCurve)?.value.enumValue)

        let privateUID = UUID().uuidString.lowercased(), publicUID = UUID().uuidString.lowercased()
        func half(_ type: ObjectType, _ uid: String, _ own: [Attribute], link: LinkType, to other: String) -> ManagedObject {
            // Per-half attributes override common ones of the same single-valued name.
            var attrs = common.filter { c in AttributeRules.isMultiValued(c) || !own.contains { $0.key == c.key } } + own
            attrs.remove(.objectType, .cryptographicLength, .recommendedCurve)
            var o = ManagedObject(uid: uid, objectType: type, owner: context.identity, attributes: attrs,
                                  tokenObject: type == .privateKey ? .privateKey : .publicKey)
            o.cryptographicAlgorithm = algorithm
            o.cryptographicLength = kind.bits
            o.attributes.append(Replacement.link(link, other))
            return o
        }
        var priv = half(.privateKey, privateUID, privateOnly, link: .publicKeyLink, to: publicUID)
        var pub = half(.publicKey, publicUID, publicOnly, link: .privateKeyLink, to: privateUID)
        // Private keys have their own default (policy.privateKeysExtractableByDefault).
        if priv.first(.extractable) == nil {
            priv.set(.extractable, .boolean(context.services.defaults.privateKeysExtractableByDefault))
        }
        priv.set(.keyFormatType, .enumeration(kind.privateFormat.rawValue))
        pub.set(.keyFormatType, .enumeration(kind.publicFormat.rawValue))
        try await Self.generate(&priv, &pub, kind, context)
        return KeyPairResponse(privateKey: privateUID, publicKey: publicUID)
    }

    /// Server attributes on both halves, then the intent rows, C_GenerateKeyPair and the commits.
    static func generate(_ priv: inout ManagedObject, _ pub: inout ManagedObject, _ kind: Kind, _ context: RequestContext) async throws(EngineError) {
        let extractable = ObjectFactory.applyServerAttributes(&priv, context)
        ObjectFactory.applyServerAttributes(&pub, context)
        let spec = KeyPairSpec(kind: kind.spec, privateExtractable: extractable,
                               privateUsage: CryptographicUsageMaskBits(rawValue: priv.usageMask),
                               publicUsage: CryptographicUsageMaskBits(rawValue: pub.usageMask),
                               privateLabel: ObjectFactory.label(priv), publicLabel: ObjectFactory.label(pub))
        let (privateID, publicID) = (priv.uid, pub.uid)
        try await ObjectFactory.persistPair([priv, pub], context) { token async throws(EngineError) in
            _ = try await token.generateKeyPair(privateID: privateID, publicID: publicID, spec: spec)
        }
    }

    /// Common, private-key and public-key attributes, in the 1.x Template-Attribute or 2.x Attributes
    /// forms, each checked as a client may set them.
    static func attributeLists(_ lists: KeyPairAttributes) throws(EngineError) -> (common: [Attribute], privateOnly: [Attribute], publicOnly: [Attribute]) {
        var (common, privateOnly, publicOnly) = (lists.common, lists.privateKey, lists.publicKey)
        try AttributeRules.validateClientAttributes(&common)
        try AttributeRules.validateClientAttributes(&privateOnly)
        try AttributeRules.validateClientAttributes(&publicOnly)
        return (common, privateOnly, publicOnly)
    }

    struct Kind {
        var spec: KeyPairSpec.Kind
        var bits: Int
        var privateFormat: KeyFormatType
        var publicFormat: KeyFormatType
    }

    /// The same kind of pair as an existing private key (for Re-key Key Pair).
    static func kind(of key: ManagedObject) throws(EngineError) -> Kind {
        try kind(key.cryptographicAlgorithm ?? CryptographicAlgorithm(rawValue: 0), length: key.cryptographicLength, domain: nil, curveAttribute: nil)
    }

    static func kind(_ alg: CryptographicAlgorithm, length: Int?, domain: TTLV?, curveAttribute: UInt32?) throws(EngineError) -> Kind {
        switch alg {
        case .rsa:
            guard let bits = length, [2048, 3072, 4096].contains(bits) else {
                throw EngineError(.invalidField, "RSA key pairs are 2048, 3072 or 4096 bits")
            }
            return Kind(spec: .rsa(bits: bits, publicExponent: [0x01, 0x00, 0x01]), bits: bits, privateFormat: .pkcs1, publicFormat: .pkcs1)
        case .ec, .ecdsa, .ecdh:
            let named = (domain?.first(.recommendedCurve)?.enumValue ?? curveAttribute).map(RecommendedCurve.init(rawValue:))
            let curve: ECCurve?
            if let named { curve = ECCurve(named) } else { curve = length.flatMap { ECCurve(bits: $0) } }
            guard let curve else {
                throw EngineError(.featureNotSupported, "unsupported curve \(named?.name ?? length.map(String.init) ?? "(none)"): P-256, P-384 and P-521 are")
            }
            return Kind(spec: .ec(curve), bits: curve.bits, privateFormat: .pkcs8, publicFormat: .x509)
        case .ed25519:
            return Kind(spec: .ed25519, bits: 256, privateFormat: .pkcs8, publicFormat: .x509)
        default:
            throw EngineError(.featureNotSupported, "Create Key Pair supports RSA, EC and Ed25519, not \(alg)")
        }
    }
}
