import KMIP

/// KMIP 2.x lets a Unique Identifier in a request be an Enumeration or an Integer instead of a Text
/// String (2.1 §4.58): the identifier an earlier operation of the same batch produced ("Create",
/// "Re-key Key Pair Public Key", "ID Placeholder"), or the nth identifier of the response so far
/// (zero based; negative counts back from the current batch item). They are resolved to the text
/// identifiers they stand for before the payload is decoded, so no handler sees them.
struct IdentifierReferences {
    /// Every Unique Identifier the batch's responses carried, in order.
    private(set) var answered: [String] = []
    /// The identifier each kind of operation last produced.
    private var produced: [UInt32: String] = [:]

    /// Records what one successful batch item answered.
    mutating func record(_ operation: Operation, _ identifiers: [String]) {
        answered += identifiers
        guard let first = identifiers.first else { return }
        let e = UniqueIdentifierEnumerations.self
        switch operation {
        case .create: produced[e.create.rawValue] = first
        case .register: produced[e.register.rawValue] = first
        case .deriveKey: produced[e.deriveKey.rawValue] = first
        case .certify: produced[e.certify.rawValue] = first
        case .reCertify: produced[e.reCertify.rawValue] = first
        case .reKey: produced[e.reKey.rawValue] = first
        case .import: produced[e.import.rawValue] = first
        case .locate: produced[e.locate.rawValue] = first
        case .createKeyPair, .reKeyKeyPair:
            guard identifiers.count == 2 else { break }  // private, then public (KeyPairResponse)
            let pair = operation == .createKeyPair
            produced[(pair ? e.createKeyPair : e.reKeyKeyPair).rawValue] = first
            produced[(pair ? e.createKeyPairPrivateKey : e.reKeyKeyPairPrivateKey).rawValue] = first
            produced[(pair ? e.createKeyPairPublicKey : e.reKeyKeyPairPublicKey).rawValue] = identifiers[1]
        default: break
        }
    }

    /// The payload with every Enumeration or Integer Unique Identifier (at any depth, as in Encryption
    /// Key Information) replaced by the text identifier it names. 1.x payloads pass unchanged.
    func resolve(_ payload: TTLV, idPlaceholder: String?, version: ProtocolVersion) throws(EngineError) -> TTLV {
        guard version.isV2, Self.hasReference(payload) else { return payload }  // the common case: nothing to copy
        return try rewrite(payload, idPlaceholder)
    }

    private static func hasReference(_ t: TTLV) -> Bool {
        switch t.value {
        case .structure(let children): return children.contains(where: hasReference)
        case .enumeration, .integer: return t.tag == .uniqueIdentifier
        default: return false
        }
    }

    private func rewrite(_ t: TTLV, _ placeholder: String?) throws(EngineError) -> TTLV {
        switch t.value {
        case .structure(let children):
            var out = [TTLV]()
            out.reserveCapacity(children.count)
            for c in children { out.append(try rewrite(c, placeholder)) }
            return TTLV(t.tag, .structure(out))
        case .enumeration(let e) where t.tag == .uniqueIdentifier:
            let uid: String?
            if e == UniqueIdentifierEnumerations.idPlaceholder.rawValue { uid = placeholder } else { uid = produced[e] }
            guard let uid else {
                throw EngineError(.invalidField, "no earlier item of this batch produced the Unique Identifier \(UniqueIdentifierEnumerations(rawValue: e))")
            }
            return TTLV(.uniqueIdentifier, .textString(uid))
        case .integer(let n) where t.tag == .uniqueIdentifier:
            let i = n >= 0 ? Int(n) : answered.count + Int(n)
            guard i >= 0, i < answered.count else {
                throw EngineError(.invalidField, "Unique Identifier \(n) names no identifier of this batch's response (\(answered.count) so far)")
            }
            return TTLV(.uniqueIdentifier, .textString(answered[i]))
        default:
            return t
        }
    }
}
