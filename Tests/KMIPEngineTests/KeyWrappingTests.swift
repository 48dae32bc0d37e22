import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Wrapped Get (C_WrapKey) and Register of wrapped keys (C_UnwrapKey): key material moves between
/// keys without ever being plaintext outside the token.
@Suite struct KeyWrappingTests {
    let now = Int64(Date().timeIntervalSince1970)

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV]) async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: "a", now: now).first
    }
    func create(_ engine: BatchExecutor, mask: Int32, extra: [TTLV] = []) async throws -> String {
        let r = await call(engine, .create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), .structure(.attributes, [
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(256)),
            TTLV(.cryptographicUsageMask, .integer(mask)), TTLV(.activationDate, .dateTime(now - 60))] + extra)])
        return try #require(r.uid, "\(r.resultMessage ?? "")")
    }
    func spec(_ kek: String, mode: BlockCipherMode = .nISTKeyWrap, encoding: EncodingOption? = .noEncoding) -> TTLV {
        var c = [TTLV(.wrappingMethod, .enumeration(WrappingMethod.encrypt.rawValue)),
                 .structure(.encryptionKeyInformation, [TTLV(.uniqueIdentifier, .textString(kek)),
                     .structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(mode.rawValue))])])]
        if let encoding { c.append(TTLV(.encodingOption, .enumeration(encoding.rawValue))) }
        return .structure(.keyWrappingSpecification, c)
    }

    @Test(arguments: [BlockCipherMode.nISTKeyWrap, .aESKeyWrapPadding])
    func wrapThenUnwrapGivesTheSameKey(mode: BlockCipherMode) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let kek = try await create(engine, mask: 0x30)  // Wrap Key | Unwrap Key
        // Sensitive but extractable: leaves the token only wrapped.
        let dek = try await create(engine, mask: 0xC, extra: [TTLV(.sensitive, .boolean(true))])
        #expect(await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(dek))]).resultStatus == .operationFailed)
        let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(dek)), spec(kek, mode: mode)])
        let block = try #require(got.payload?.first(.symmetricKey)?.first(.keyBlock), "\(got.resultMessage ?? "")")
        let wrapped = try #require(block.first(.keyValue)?.bytes)
        #expect(wrapped.count == 40 && block.first(.keyWrappingData)?.first(.encryptionKeyInformation)?.first(.uniqueIdentifier)?.text == kek)

        // Register it back: the token unwraps it into a new key that encrypts exactly like the original.
        let reg = await call(engine, .register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0xC)), TTLV(.activationDate, .dateTime(now - 60))]),
            .structure(.symmetricKey, [block])])
        let copy = try #require(reg.uid, "\(reg.resultMessage ?? "")")
        let ecb = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))])
        let plain = [UInt8](repeating: 0x42, count: 16)
        let a = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(dek)), ecb, TTLV(.data, .byteString(plain))])
        let b = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(copy)), ecb, TTLV(.data, .byteString(plain))])
        #expect(a.payload?.first(.data)?.bytes != nil && a.payload?.first(.data)?.bytes == b.payload?.first(.data)?.bytes)
    }

    @Test func refusals() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let kek = try await create(engine, mask: 0x30)
        let kept = try await create(engine, mask: 0xC, extra: [TTLV(.extractable, .boolean(false))])
        let noWrap = try await create(engine, mask: 0xC)
        let dek = try await create(engine, mask: 0xC)
        #expect(await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(kept)), spec(kek)]).resultReason == .notExtractable)
        #expect(await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(dek)), spec(noWrap)]).resultReason == .incompatibleCryptographicUsageMask)
        // TTLV Encoding (the default) puts the key on the host: not for a Sensitive key.
        let sensitive = try await create(engine, mask: 0xC, extra: [TTLV(.sensitive, .boolean(true))])
        #expect(await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(sensitive)), spec(kek, encoding: nil)]).resultReason == .featureNotSupported)
    }

    /// A wrapped key whose wrapping key kmipd does not hold is kept as it came, in either Key Value form,
    /// returned as registered, linked to its wrapping key, and never used for cryptography.
    @Test(arguments: [true, false])
    func aKeyWrappedByAnUnknownKeyIsKeptAsRegistered(inKeyMaterial: Bool) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let wrapped: [UInt8] = Array(0..<24)
        let value: TTLV = inKeyMaterial ? .structure(.keyValue, [TTLV(.keyMaterial, .byteString(wrapped))]) : TTLV(.keyValue, .byteString(wrapped))
        let wrappingData = TTLV.structure(.keyWrappingData, [TTLV(.wrappingMethod, .enumeration(WrappingMethod.encrypt.rawValue)),
            .structure(.encryptionKeyInformation, [TTLV(.uniqueIdentifier, .textString("42")),
                .structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.nISTKeyWrap.rawValue))])]),
            TTLV(.encodingOption, .enumeration(EncodingOption.noEncoding.rawValue))])
        let block = TTLV.structure(.keyBlock, [TTLV(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue)), value,
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128)), wrappingData])
        let r = await call(engine, .register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0xC)), TTLV(.activationDate, .dateTime(now - 60))]),
            .structure(.symmetricKey, [block])])
        let uid = try #require(r.uid, "\(r.resultMessage ?? "")")
        let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(uid))])
        #expect(got.payload?.first(.symmetricKey)?.first(.keyBlock) == block)
        let encrypt = await call(engine, .encrypt, [TTLV(.uniqueIdentifier, .textString(uid)), TTLV(.data, .byteString(Array(repeating: 1, count: 16))),
            .structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))])])
        #expect(encrypt.resultReason == .keyValueNotPresent)
        let attrs = await call(engine, .getAttributes, [TTLV(.uniqueIdentifier, .textString(uid))])
        let link = attrs.payload?.first(.attributes)?.all(.link).first { $0.first(.linkType)?.enumValue == LinkType.wrappingKeyLink.rawValue }
        #expect(link?.first(.linkedObjectIdentifier)?.text == "42")
        let v12 = await engine.execute(Req.message(.v1_2, [Req.uid(.getAttributes, uid)]), identity: "a", now: now)
        #expect(v12.first.payload?.all(.attribute).contains { $0.first(.attributeName)?.text == "Link" } == false)
        let delete = await call(engine, .deleteAttribute, [TTLV(.uniqueIdentifier, .textString(uid)),
            .structure(.attributeReference, [TTLV(.vendorIdentification, .textString("x")), TTLV(.attributeName, .textString("kmipd-wrapped-key-block"))])])
        #expect(delete.resultStatus == .operationFailed)
    }

    /// A private key leaves the token wrapped as PKCS#8 (C_WrapKey with AES Key Wrap with Padding).
    @Test func aPrivateKeyLeavesWrapped() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let kek = try await create(engine, mask: 0x30)
        let pair = await call(engine, .createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue)),
                                           TTLV(.cryptographicLength, .integer(256))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(1)), TTLV(.sensitive, .boolean(true))]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2))])])
        let priv = try #require(pair.payload?.first(.privateKeyUniqueIdentifier)?.text, "\(pair.resultMessage ?? "")")
        let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(priv)), spec(kek, mode: .aESKeyWrapPadding)])
        let block = try #require(got.payload?.first(.privateKey)?.first(.keyBlock), "\(got.resultMessage ?? "")")
        #expect(block.first(.keyFormatType)?.enumValue == KeyFormatType.pkcs8.rawValue)
        #expect((block.first(.keyValue)?.bytes?.count ?? 0) > 64)  // PKCS#8 of a P-256 key, wrapped
        #expect(block.first(.keyWrappingData) != nil)
        // Sensitive, it does not leave in plain.
        #expect(await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(priv))]).resultReason == .sensitive)
    }

    /// TTLV Encoding (KMIP 2.1 §2.1.5, the default): the encoded Key Value is wrapped; registering the
    /// result with the same key gives back the same key.
    @Test func ttlvEncodingRoundTrips() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let kek = try await create(engine, mask: 0x30)
        let dek = try await create(engine, mask: 0xC)
        let plain = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(dek))])
        let material = try #require(plain.payload?.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes)
        let got = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(dek)), spec(kek, encoding: nil)])
        let block = try #require(got.payload?.first(.symmetricKey)?.first(.keyBlock), "\(got.resultMessage ?? "")")
        let wrapped = try #require(block.first(.keyValue)?.bytes)
        #expect(wrapped.count == 56)  // RFC 3394 of the 48-byte Key Value structure
        #expect(block.first(.keyWrappingData)?.first(.encodingOption) == nil)
        let back = await call(engine, .register, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)),
            .structure(.attributes, [TTLV(.cryptographicUsageMask, .integer(0xC))]), .structure(.symmetricKey, [block])])
        let uid = try #require(back.uid, "\(back.resultMessage ?? "")")
        let again = await call(engine, .get, [TTLV(.uniqueIdentifier, .textString(uid))])
        #expect(again.payload?.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes == material)
    }
}
