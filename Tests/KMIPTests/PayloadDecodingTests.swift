import KMIP
import Testing

/// Typed request payloads (KMIP 2.1 §6.1): the 1.x and 2.x shapes decode to one model, and every
/// wire number that becomes a length, a count or an index is range-checked while decoding.
@Suite struct PayloadDecodingTests {
    static func payload(_ children: [TTLV]) -> TTLV { .structure(.requestPayload, children) }

    /// Decoding fails with `code`, naming `tag`.
    func refused<R: RequestPayload>(_ type: R.Type, _ children: [TTLV], _ version: ProtocolVersion = .v2_1,
                                    code: KMIPCodecError.Code, tag: KMIP.Tag) {
        do {
            _ = try R(payload: Self.payload(children), version: version)
            Issue.record("\(R.self) accepted \(children)")
        } catch {
            #expect(error.code == code, "\(R.self): \(error)")
            #expect(error.tag == tag, "\(R.self): \(error)")
        }
    }

    @Test func rangesAreCheckedWhileDecoding() {
        refused(RNGRetrieveRequest.self, [TTLV(.dataLength, .integer(0))], code: .invalidValue, tag: .dataLength)
        refused(RNGRetrieveRequest.self, [TTLV(.dataLength, .integer(65537))], code: .invalidValue, tag: .dataLength)
        refused(LocateRequest.self, [TTLV(.maximumItems, .integer(-1))], code: .invalidValue, tag: .maximumItems)
        refused(LocateRequest.self, [TTLV(.offsetItems, .integer(Int32.min))], code: .invalidValue, tag: .offsetItems)
        refused(DeleteAttributeRequest.self, [TTLV(.attributeName, .textString("Name")), TTLV(.attributeIndex, .integer(-3))], .v1_4,
                code: .invalidValue, tag: .attributeIndex)
        let negativeIndex = TTLV.structure(.attribute, [TTLV(.attributeName, .textString("Name")), TTLV(.attributeIndex, .integer(-1)),
                                                        .structure(.attributeValue, [TTLV(.nameValue, .textString("n"))])])
        refused(ModifyAttributeRequest.self, [negativeIndex], .v1_4, code: .invalidValue, tag: .attributeIndex)
        let negativeIV = TTLV.structure(.cryptographicParameters, [TTLV(.ivLength, .integer(-96))])
        refused(EncryptRequest.self, [negativeIV, TTLV(.data, .byteString([1]))], code: .invalidValue, tag: .ivLength)
        let oddIV = TTLV.structure(.cryptographicParameters, [TTLV(.ivLength, .integer(95))])
        refused(DecryptRequest.self, [oddIV], code: .invalidValue, tag: .ivLength)
        let hugeTag = TTLV.structure(.cryptographicParameters, [TTLV(.tagLength, .integer(4096))])
        refused(EncryptRequest.self, [hugeTag], code: .invalidValue, tag: .tagLength)
        refused(ImportRequest.self, [TTLV(.uniqueIdentifier, .textString("")), TTLV(.objectType, .enumeration(ObjectType.opaqueObject.rawValue))],
                code: .invalidValue, tag: .uniqueIdentifier)
        let negativeLength = TTLV.structure(.symmetricKey, [.structure(.keyBlock, [
            TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)),
            .structure(.keyValue, [TTLV(.keyMaterial, .byteString([1, 2]))]), TTLV(.cryptographicLength, .integer(-8))])])
        refused(RegisterRequest.self, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), negativeLength],
                code: .invalidValue, tag: .cryptographicLength)
    }

    @Test func wrongTypesAreRefused() {
        refused(EncryptRequest.self, [TTLV(.data, .textString("plain"))], code: .wrongType, tag: .data)
        refused(ActivateRequest.self, [TTLV(.uniqueIdentifier, .integer(7))], code: .wrongType, tag: .uniqueIdentifier)
        refused(RevokeRequest.self, [TTLV(.revocationReason, .enumeration(1))], code: .wrongType, tag: .revocationReason)
        refused(QueryRequest.self, [TTLV(.queryFunction, .textString("ops"))], code: .wrongType, tag: .queryFunction)
        let textMaterial = TTLV.structure(.symmetricKey, [.structure(.keyBlock, [
            TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)), .structure(.keyValue, [TTLV(.keyMaterial, .textString("k"))])])])
        refused(RegisterRequest.self, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), textMaterial],
                code: .wrongType, tag: .keyMaterial)
    }

    /// 1.x and 2.x shapes of the same request decode to the same value.
    @Test func versionsMeetInOneModel() throws {
        let v1 = try AddAttributeRequest(payload: Self.payload([
            TTLV(.uniqueIdentifier, .textString("u")),
            .structure(.attribute, [TTLV(.attributeName, .textString("Contact Information")),
                                    TTLV(.attributeValue, .textString("ops"))]),
        ]), version: .v1_2)
        let v2 = try AddAttributeRequest(payload: Self.payload([
            TTLV(.uniqueIdentifier, .textString("u")),
            .structure(.newAttribute, [TTLV(.contactInformation, .textString("ops"))]),
        ]), version: .v2_1)
        #expect(v1 == v2)
        #expect(v1.attribute.key == .tag(.contactInformation))

        let byName = try GetAttributesRequest(payload: Self.payload([TTLV(.attributeName, .textString("State"))]), version: .v1_4)
        let byReference = try GetAttributesRequest(payload: Self.payload([TTLV(.attributeReference, .enumeration(KMIP.Tag.state.rawValue))]), version: .v2_1)
        #expect(byName.names == byReference.names)
        #expect(byName.uniqueIdentifier == nil)
    }

    /// A response names only what the client's version defines.
    @Test func responsesFollowTheClientsVersion() {
        let located = LocateResponse(locatedItems: 2, uniqueIdentifiers: ["a", "b"])
        #expect(located.payload(version: .v1_2).first(.locatedItems) == nil)
        #expect(located.payload(version: .v1_3).first(.locatedItems)?.int32 == 2)
        let edited = AttributeEditResponse("u", attribute: Attribute(.contactInformation, .textString("ops")), index: 1)
        #expect(edited.payload(version: .v1_4).first(.attribute)?.first(.attributeIndex)?.int32 == 1)
        #expect(edited.payload(version: .v2_0).first(.attribute) == nil)
    }

    /// The attribute rules are typed from the specification's tables.
    @Test func attributeRulesAreTyped() throws {
        let activation = try #require(AttributeRule.of(.tag(.activationDate)))
        #expect(activation.clientChanges == .whilePreActive && activation.setBy == [.server, .client] && !activation.multiValued)
        let deactivation = try #require(AttributeRule.of(.tag(.deactivationDate)))
        #expect(deactivation.clientChanges == .whilePreActiveOrActive)
        let algorithm = try #require(AttributeRule.of(.tag(.cryptographicAlgorithm)))
        #expect(algorithm.setBy == [.server] && algorithm.clientChanges == .never)
        #expect(AttributeRule.of(.tag(.name))?.multiValued == true)
        #expect(AttributeRule.of(.vendor("x-anything")) == .vendor)
        #expect(AttributeRule.of(.vendor("Not An Attribute")) == nil)
    }

    /// What a client encodes from the payload types, the server decodes to the same value, in every
    /// version's shape.
    @Test(arguments: [ProtocolVersion.v1_0, .v1_2, .v1_4, .v2_0, .v2_1])
    func clientRequestsRoundTrip(version: ProtocolVersion) throws {
        func roundTrip<R: EncodableRequest & Equatable>(_ r: R) throws {
            let decoded = try R(payload: r.payload(version: version), version: version)
            #expect(decoded == r, "\(R.self) in \(version)")
        }
        let aes = [Attribute(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)),
                   Attribute(.cryptographicLength, .integer(256)),
                   Attribute(.name, .structure([TTLV(.nameValue, .textString("k")), TTLV(.nameType, .enumeration(1))])),
                   Attribute(name: "x-team", value: TTLV(.attributeValue, .textString("ops")))]
        try roundTrip(CreateRequest(objectType: .symmetricKey, attributes: aes))
        try roundTrip(CreateKeyPairRequest(attributes: KeyPairAttributes(common: Array(aes.prefix(2)), privateKey: [aes[2]])))
        try roundTrip(LocateRequest(filters: [aes[2]], maximumItems: 3))
        try roundTrip(GetRequest(uniqueIdentifier: "u", keyFormatType: .raw))
        try roundTrip(GetAttributesRequest(uniqueIdentifier: "u", names: ["Cryptographic Algorithm", "x-team"]))
        try roundTrip(ActivateRequest(uniqueIdentifier: "u"))
        try roundTrip(DestroyRequest(uniqueIdentifier: nil))
        try roundTrip(RevokeRequest(uniqueIdentifier: "u", reason: RevocationReason(code: .keyCompromise, message: "lost"),
                                    compromiseOccurrenceDate: 1_700_000_000))
    }
}
