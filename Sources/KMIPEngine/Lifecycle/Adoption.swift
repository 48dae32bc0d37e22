import KMIP

/// What a token tells about one of its objects without revealing its value (PKCS#11 CKA_CLASS,
/// CKA_KEY_TYPE, CKA_VALUE_LEN / CKA_MODULUS_BITS / CKA_EC_PARAMS, CKA_LABEL and the usage flags).
public struct TokenObjectDescription: Sendable, Equatable {
    public var kind: TokenObjectKind
    public var algorithm: CryptographicAlgorithm?
    public var lengthBits: Int?
    public var label: String?
    public var usage: CryptographicUsageMaskBits
    public var extractable: Bool
    public var sensitive: Bool
    public init(kind: TokenObjectKind, algorithm: CryptographicAlgorithm? = nil, lengthBits: Int? = nil, label: String? = nil,
                usage: CryptographicUsageMaskBits = [], extractable: Bool = false, sensitive: Bool = true) {
        self.kind = kind; self.algorithm = algorithm; self.lengthBits = lengthBits; self.label = label
        self.usage = usage; self.extractable = extractable; self.sensitive = sensitive
    }
}

/// `kmipd store adopt`: token objects the store does not know become metadata-only rows, so a store
/// lost or restored from an old backup is rebuilt from the token instead of the token being emptied to
/// match the store. An adopted object is Active (it was in use when its record was lost), owned by the
/// given identity, named after its CKA_LABEL; what the token cannot tell (lifecycle dates, links,
/// Cryptographic Parameters, grants) is not invented.
public struct Adoption: Sendable {
    public let store: any ObjectStore
    public let token: any Token
    public init(store: any ObjectStore, token: any Token) { self.store = store; self.token = token }

    public struct Report: Codable, Sendable {
        public var adopted: [String] = []
        /// CKA_IDs that were asked for but are not (or no longer) in the token, or already in the store.
        public var skipped: [String] = []
    }

    /// Adopts `ids` (CKA_IDs of token objects the store has no row for).
    public func run(ids: [String], owner: String, now: Int64) async throws(EngineError) -> Report {
        var report = Report()
        for id in ids {
            guard try await store.fetch(uid: id) == nil, let d = try await token.describe(id: id) else {
                report.skipped.append(id)
                continue
            }
            let object = Self.object(uid: id, description: d, owner: owner, now: now)
            try await store.insertPending(object)
            try await store.commit(object)
            report.adopted.append(id)
        }
        return report
    }

    static func object(uid: String, description d: TokenObjectDescription, owner: String, now: Int64) -> ManagedObject {
        let type: ObjectType = switch d.kind {
        case .secretKey: .symmetricKey
        case .privateKey: .privateKey
        case .publicKey: .publicKey
        case .certificate: .certificate
        case .data: .opaqueObject  // the token cannot say whether the bytes were Secret Data or opaque
        }
        var o = ManagedObject(uid: uid, objectType: type, owner: owner, attributes: [], tokenObject: d.kind)
        o.set(.uniqueIdentifier, .textString(uid))
        o.set(.objectType, .enumeration(type.rawValue))
        if let a = d.algorithm { o.set(.cryptographicAlgorithm, .enumeration(a.rawValue)) }
        if let l = d.lengthBits, let bits = Int32(exactly: l) { o.set(.cryptographicLength, .integer(bits)) }
        if type == .certificate { o.set(.certificateType, .enumeration(CertificateType.x509.rawValue)) }
        if type == .opaqueObject { o.set(.opaqueDataType, .enumeration(OpaqueDataType.unknown.rawValue)) }
        if let label = d.label, !label.isEmpty {
            o.attributes.append(Attribute(.name, .structure([
                TTLV(.nameValue, .textString(label)), TTLV(.nameType, .enumeration(NameType.uninterpretedTextString.rawValue))])))
        }
        o.set(.cryptographicUsageMask, .integer(Int32(bitPattern: d.usage.rawValue)))
        o.set(.extractable, .boolean(d.extractable))
        o.set(.sensitive, .boolean(d.sensitive))
        o.set(.initialDate, .dateTime(now))
        o.set(.lastChangeDate, .dateTime(now))
        o.set(.activationDate, .dateTime(now))
        o.state = .active
        return o
    }
}
