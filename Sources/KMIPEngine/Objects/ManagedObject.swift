import KMIP

/// A managed object as the engine sees it: identity, type, owner, and every attribute (State and the
/// lifecycle dates included). Key material is never here: it lives in the token under CKA_ID = uid.
public struct ManagedObject: Sendable {
    public var uid: String
    public var objectType: ObjectType
    public var owner: String
    public var attributes: [Attribute]
    /// What the token holds for this object (nil once destroyed).
    public var tokenObject: TokenObjectKind?
    /// The Key Format Type Get answers in when the client names none (KMIP 2.x attribute §4.26):
    /// the registered format, Raw for generated keys.
    public var defaultKeyFormat: KeyFormatType? { first(.keyFormatType)?.value.enumValue.map(KeyFormatType.init(rawValue:)) }
    /// The DER form a registered key's bytes were really in, when the client labelled them otherwise.
    public var keyEncoding: KeyFormatType? {
        get { attributes.first { $0.key == Self.keyEncodingKey }?.value.text.flatMap(KeyFormatType.init(named:)) }
        set {
            attributes.removeAll { $0.key == Self.keyEncodingKey }
            if let v = newValue { attributes.append(Attribute(key: Self.keyEncodingKey, value: TTLV(.attributeValue, .textString(v.name)))) }
        }
    }
    /// kmipd's own record: a client can read it, never set or change it.
    static let keyEncodingKey = Attribute.Key.vendor("x-kmipd-key-encoding")

    /// A wrapped key kmipd did not unwrap (its wrapping key is not here, or the encoding needs the plain
    /// key on the host): the Key Block as registered, its wrapped bytes kept in the token as a data
    /// object. kmipd returns it as it came and never uses it for cryptography (Key Value Not Present).
    public var storedWrappedBlock: KeyBlock? {
        get { record(Self.wrappedBlockKey).flatMap { try? KeyBlock(ttlv: $0) } }
        set { setRecord(Self.wrappedBlockKey, newValue?.ttlv) }
    }
    static let wrappedBlockKey = Attribute.Key.vendor("x-kmipd-wrapped-key-block")

    /// A Split Key's fields and Key Block as registered, without the share, which is in the token.
    public var splitKeyRecord: SplitKey? {
        get { record(Self.splitKeyKey).flatMap { try? SplitKey(ttlv: $0) } }
        set { setRecord(Self.splitKeyKey, newValue?.ttlv) }
    }
    static let splitKeyKey = Attribute.Key.vendor("x-kmipd-split-key")

    /// One of kmipd's own structure-valued records (read-only to clients: `AttributeRules.serverRecords`).
    func record(_ key: Attribute.Key) -> TTLV? { attributes.first { $0.key == key }?.value }
    mutating func setRecord(_ key: Attribute.Key, _ value: TTLV?) {
        attributes.removeAll { $0.key == key }
        if var v = value { v.tag = .attributeValue; attributes.append(Attribute(key: key, value: v)) }
    }

    /// Whether kmipd holds this object's key value in a form the token can use (a share of a split key
    /// is not a key).
    public var keyValueUsable: Bool { tokenObject != nil && storedWrappedBlock == nil && objectType != .splitKey }
    /// Why `keyValueUsable` is false, for the error a client reads.
    public var unusableValueReason: String {
        metadataOnly ? "its key value is kept elsewhere (Key Value Location)"
            : storedWrappedBlock != nil ? "it is held wrapped, as registered"
            : objectType == .splitKey ? "it is a share of a split key" : "its key material is gone"
    }
    /// Registered without its value (Key Value Location): kmipd holds its metadata only.
    public var metadataOnly: Bool { first(.keyValuePresent)?.value.bool == false }

    public init(uid: String, objectType: ObjectType, owner: String, attributes: [Attribute], tokenObject: TokenObjectKind?) {
        self.uid = uid; self.objectType = objectType; self.owner = owner; self.attributes = attributes; self.tokenObject = tokenObject
    }

    public func first(_ tag: Tag) -> Attribute? { attributes.first { $0.key == .tag(tag) } }
    public func all(_ tag: Tag) -> [Attribute] { attributes.filter { $0.key == .tag(tag) } }

    public var state: State {
        get { first(.state)?.value.enumValue.map(State.init(rawValue:)) ?? .preActive }
        set { set(.state, .enumeration(newValue.rawValue)) }
    }
    public func date(_ tag: Tag) -> Int64? { first(tag)?.value.dateSeconds }
    public var extractable: Bool { first(.extractable)?.value.bool ?? false }
    public var usageMask: UInt32 { first(.cryptographicUsageMask)?.value.int32.map { UInt32(bitPattern: $0) } ?? 0 }

    // Typed views of the attributes the engine decides by (KMIP 2.1 §4).
    public var cryptographicAlgorithm: CryptographicAlgorithm? {
        get { first(.cryptographicAlgorithm)?.value.enumValue.map { CryptographicAlgorithm(rawValue: $0) } }
        set { if let v = newValue { set(.cryptographicAlgorithm, .enumeration(v.rawValue)) } else { remove(.cryptographicAlgorithm) } }
    }
    public var cryptographicLength: Int? {
        get { first(.cryptographicLength)?.value.int32.map(Int.init) }
        set { if let v = newValue { set(.cryptographicLength, .integer(Int32(clamping: v))) } else { remove(.cryptographicLength) } }
    }
    public var sensitive: Bool { first(.sensitive)?.value.bool ?? false }
    public var fresh: Bool? { first(.fresh)?.value.bool }
    /// The first Name's value (KMIP 2.1 §4.32).
    public var name: String? { first(.name)?.value.first(.nameValue)?.text }
    /// The objects the Links of `type` point to (KMIP 2.1 §4.31).
    public func linked(_ type: LinkType) -> [String] {
        attributes.compactMap { a in
            guard a.tag == .link, a.value.first(.linkType)?.enumValue == type.rawValue else { return nil }
            return a.value.first(.linkedObjectIdentifier)?.text
        }
    }

    /// Replaces every instance of a single-valued spec attribute.
    public mutating func set(_ tag: Tag, _ value: TTLV.Value) {
        attributes.removeAll { $0.key == .tag(tag) }
        attributes.append(Attribute(tag, value))
    }
    public mutating func remove(_ tag: Tag) { attributes.removeAll { $0.key == .tag(tag) } }
}

/// The kind of token object behind a managed object.
public enum TokenObjectKind: String, Sendable {
    /// CKO_SECRET_KEY
    case secretKey
    /// CKO_DATA (Secret Data, Opaque Object)
    case data
    case publicKey, privateKey, certificate
}
