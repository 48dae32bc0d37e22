import Crypto
import SwiftASN1

/// DER forms of RSA and DSA keys: PKCS#1 (RFC 8017 A.1), SubjectPublicKeyInfo (RFC 5280 §4.1, the
/// KMIP X.509 format) and PKCS#8 PrivateKeyInfo (RFC 5208), via swift-asn1.
public enum KeyDER {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    static let dsa: ASN1ObjectIdentifier = [1, 2, 840, 10040, 4, 1]
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    /// CKA_EC_PARAMS of an Ed25519 key: the DER of its OID (RFC 8410).
    public static let ed25519ParametersDER: [UInt8] = [0x06, 0x03, 0x2B, 0x65, 0x70]

    static func curve(_ node: ASN1Node?) throws -> ECCurve {
        guard let node, let oid = try? ASN1ObjectIdentifier(derEncoded: node),
              let c = ECCurve.allCases.first(where: { (try? ASN1ObjectIdentifier(elements: $0.oid)) == oid }) else {
            throw ASN1Error.invalidASN1Object(reason: "unsupported elliptic curve")
        }
        return c
    }

    /// ECPrivateKey (RFC 5915): version 1, the scalar, optionally [0] the curve and [1] the point.
    static func ecPrivateKey(_ der: [UInt8], curve known: ECCurve?) throws -> AsymmetricKey {
        try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
            guard nodes.next() != nil, let dNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "ECPrivateKey") }
            let d = Array(try ASN1OctetString(derEncoded: dNode).bytes)
            var curve = known, point: [UInt8]?
            while let n = nodes.next() {
                if n.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                    curve = try DER.explicitlyTagged(n, tagNumber: 0, tagClass: .contextSpecific) { try Self.curve($0) }
                } else if n.identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) {
                    point = try DER.explicitlyTagged(n, tagNumber: 1, tagClass: .contextSpecific) { Array(try ASN1BitString(derEncoded: $0).bytes) }
                }
            }
            guard let curve else { throw ASN1Error.invalidASN1Object(reason: "ECPrivateKey names no curve") }
            return .ecPrivate(curve: curve, d: d, point: point)
        }
    }

    /// SEC1 ECPrivateKey (RFC 5915) with the public key, as OpenSSL writes it. Inside PKCS#8 the curve
    /// is in the AlgorithmIdentifier and the [0] parameters are left out (`withParameters: false`).
    static func ecPrivateKey(_ key: AsymmetricKey, withParameters: Bool = true) throws -> [UInt8] {
        guard case .ecPrivate(let curve, let d, let known) = key else { throw ASN1Error.invalidASN1Object(reason: "not an EC private key") }
        let padded = [UInt8](repeating: 0, count: max(0, curve.size - AsymmetricKey.magnitude(d).count)) + AsymmetricKey.magnitude(d)
        // The token keeps no public point with a private key; it follows from the scalar.
        let point = known ?? (try? publicPoint(curve, scalar: padded))
        var s = DER.Serializer()
        try s.appendConstructedNode(identifier: .sequence) { c in
            try c.serialize(1)
            try c.serialize(ASN1OctetString(contentBytes: ArraySlice(padded)))
            if withParameters {
                try c.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { e in try e.serialize(try ASN1ObjectIdentifier(elements: curve.oid)) }
            }
            if let point {
                try c.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { e in try e.serialize(ASN1BitString(bytes: ArraySlice(point))) }
            }
        }
        return s.serializedBytes
    }

    // MARK: Parsing

    static func integers(_ node: ASN1Node) throws -> [[UInt8]] {
        try DER.sequence(node, identifier: .sequence) { nodes in
            var out = [[UInt8]]()
            while let n = nodes.next() { out.append(AsymmetricKey.magnitude(try ArraySlice<UInt8>(derEncoded: n))) }
            return out
        }
    }

    static func rsaPublicPKCS1(_ der: [UInt8]) throws -> AsymmetricKey {
        let i = try integers(try DER.parse(der))
        guard i.count == 2 else { throw ASN1Error.invalidASN1Object(reason: "RSAPublicKey has two integers") }
        return .rsaPublic(modulus: i[0], publicExponent: i[1])
    }

    static func rsaPrivatePKCS1(_ der: [UInt8]) throws -> AsymmetricKey {
        let i = try integers(try DER.parse(der))
        guard i.count >= 9 else { throw ASN1Error.invalidASN1Object(reason: "RSAPrivateKey has nine integers") }
        return .rsaPrivate(.init(modulus: i[1], publicExponent: i[2], privateExponent: i[3], prime1: i[4], prime2: i[5],
                                 exponent1: i[6], exponent2: i[7], coefficient: i[8]))
    }

    /// SubjectPublicKeyInfo, or a bare PKCS#1 RSAPublicKey (some clients send that under X_509).
    static func publicKeyInfo(_ der: [UInt8]) throws -> AsymmetricKey {
        let root = try DER.parse(der)
        return try DER.sequence(root, identifier: .sequence) { nodes in
            guard let algNode = nodes.next(), let keyNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "SPKI") }
            let (oid, params) = try algorithm(algNode)
            let bits = try ASN1BitString(derEncoded: keyNode)
            let inner = Array(bits.bytes)
            if oid == rsaEncryption { return try rsaPublicPKCS1(inner) }
            if oid == dsa, let params {
                let pqg = try integers(params)
                let y = AsymmetricKey.magnitude(try ArraySlice<UInt8>(derEncoded: try DER.parse(inner)))
                return .dsaPublic(p: pqg[0], q: pqg[1], g: pqg[2], y: y)
            }
            if oid == ecPublicKey { return .ecPublic(curve: try curve(params), point: inner) }
            if oid == ed25519 { return .ed25519Public(inner) }
            throw ASN1Error.invalidASN1Object(reason: "unsupported public key algorithm \(oid)")
        }
    }

    static func privateKeyInfo(_ der: [UInt8]) throws -> AsymmetricKey {
        let root = try DER.parse(der)
        return try DER.sequence(root, identifier: .sequence) { nodes in
            guard nodes.next() != nil, let algNode = nodes.next(), let keyNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "PrivateKeyInfo")
            }
            while nodes.next() != nil {}  // optional attributes
            let (oid, params) = try algorithm(algNode)
            let inner = Array(try ASN1OctetString(derEncoded: keyNode).bytes)
            if oid == rsaEncryption { return try rsaPrivatePKCS1(inner) }
            if oid == dsa, let params {
                let pqg = try integers(params)
                let x = AsymmetricKey.magnitude(try ArraySlice<UInt8>(derEncoded: try DER.parse(inner)))
                return .dsaPrivate(p: pqg[0], q: pqg[1], g: pqg[2], x: x)
            }
            if oid == ecPublicKey { return try ecPrivateKey(inner, curve: try curve(params)) }
            throw ASN1Error.invalidASN1Object(reason: "unsupported private key algorithm \(oid)")
        }
    }

    static func algorithm(_ node: ASN1Node) throws -> (ASN1ObjectIdentifier, ASN1Node?) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            guard let o = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "AlgorithmIdentifier") }
            let oid = try ASN1ObjectIdentifier(derEncoded: o)
            let params = nodes.next()
            // DSA parameters are a SEQUENCE, EC ones a curve OID, RSA's a NULL (dropped).
            return (oid, params.flatMap { $0.identifier == .null ? nil : $0 })
        }
    }

    // MARK: Encoding

    static func sequence(_ ints: [[UInt8]]) throws -> [UInt8] {
        var s = DER.Serializer()
        try s.appendConstructedNode(identifier: .sequence) { c in
            for i in ints { try c.serialize(ArraySlice(AsymmetricKey.magnitude(i))) }
        }
        return s.serializedBytes
    }

    /// One DER INTEGER (a DSA key's public y or private x inside SPKI / PKCS#8).
    static func integer(_ magnitude: [UInt8]) throws -> [UInt8] {
        var s = DER.Serializer()
        try s.serialize(ArraySlice(AsymmetricKey.magnitude(magnitude)))
        return s.serializedBytes
    }

    static func pkcs1(_ key: AsymmetricKey) throws -> [UInt8] {
        switch key {
        case .rsaPublic(let n, let e): return try sequence([n, e])
        case .rsaPrivate(let k):
            return try sequence([[0], k.modulus, k.publicExponent, k.privateExponent, k.prime1, k.prime2, k.exponent1, k.exponent2, k.coefficient])
        default: throw ASN1Error.invalidASN1Object(reason: "PKCS#1 holds RSA keys only")
        }
    }

    static func algorithmIdentifier(_ key: AsymmetricKey, into c: inout DER.Serializer) throws {
        try c.appendConstructedNode(identifier: .sequence) { a in
            switch key {
            case .rsaPublic, .rsaPrivate:
                try a.serialize(rsaEncryption)
                try a.serialize(ASN1Null())
            case .dsaPublic(let p, let q, let g, _), .dsaPrivate(let p, let q, let g, _):
                try a.serialize(dsa)
                try a.appendConstructedNode(identifier: .sequence) { pqg in
                    for i in [p, q, g] { try pqg.serialize(ArraySlice(i)) }
                }
            case .ecPublic(let curve, _), .ecPrivate(let curve, _, _):
                try a.serialize(ecPublicKey)
                try a.serialize(try ASN1ObjectIdentifier(elements: curve.oid))
            case .ed25519Public:
                try a.serialize(ed25519)  // no parameters (RFC 8410 §3)
            }
        }
    }

    static func publicKeyInfo(_ key: AsymmetricKey) throws -> [UInt8] {
        let inner: [UInt8]
        switch key {
        case .rsaPublic: inner = try pkcs1(key)
        case .dsaPublic(_, _, _, let y): inner = try integer(y)
        case .ecPublic(_, let point), .ed25519Public(let point): inner = point
        default: throw ASN1Error.invalidASN1Object(reason: "not a public key")
        }
        var s = DER.Serializer()
        try s.appendConstructedNode(identifier: .sequence) { c in
            try algorithmIdentifier(key, into: &c)
            try c.serialize(ASN1BitString(bytes: ArraySlice(inner)))
        }
        return s.serializedBytes
    }

    static func privateKeyInfo(_ key: AsymmetricKey) throws -> [UInt8] {
        let inner: [UInt8]
        switch key {
        case .rsaPrivate: inner = try pkcs1(key)
        case .dsaPrivate(_, _, _, let x): inner = try integer(x)
        case .ecPrivate: inner = try ecPrivateKey(key, withParameters: false)
        default: throw ASN1Error.invalidASN1Object(reason: "not a private key")
        }
        var s = DER.Serializer()
        try s.appendConstructedNode(identifier: .sequence) { c in
            try c.serialize(0)
            try algorithmIdentifier(key, into: &c)
            try c.serialize(ASN1OctetString(contentBytes: ArraySlice(inner)))
        }
        return s.serializedBytes
    }
}

extension KeyDER {
    /// The uncompressed public point (X9.63) of an EC private scalar.
    static func publicPoint(_ curve: ECCurve, scalar: [UInt8]) throws -> [UInt8] {
        switch curve {
        case .p256: Array(try P256.Signing.PrivateKey(rawRepresentation: scalar).publicKey.x963Representation)
        case .p384: Array(try P384.Signing.PrivateKey(rawRepresentation: scalar).publicKey.x963Representation)
        case .p521: Array(try P521.Signing.PrivateKey(rawRepresentation: scalar).publicKey.x963Representation)
        }
    }

    /// The DER bytes of any serializable ASN.1 value (swift-asn1 keeps its own helper internal).
    static func der(_ value: some DERSerializable) throws -> [UInt8] {
        var s = DER.Serializer()
        try s.serialize(value)
        return s.serializedBytes
    }
}
