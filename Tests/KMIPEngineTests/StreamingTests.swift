import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Streaming Encrypt/Decrypt (Init Indicator, Correlation Value, Final Indicator) in the token.
@Suite struct StreamingTests {
    let now = Int64(Date().timeIntervalSince1970)

    func call(_ engine: BatchExecutor, _ op: KMIP.Operation, _ payload: [TTLV], as who: String = "a") async -> ResponseBatchItem {
        await engine.execute(Req.message(.v2_1, [(op, payload)]), identity: who, now: now).first
    }

    @Test func cbcInThreePartsEqualsOneShot() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let created = await call(engine, .create, [TTLV(.objectType, .enumeration(ObjectType.symmetricKey.rawValue)), .structure(.attributes, [
            TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.aes.rawValue)), TTLV(.cryptographicLength, .integer(128)),
            TTLV(.cryptographicUsageMask, .integer(0xC)), TTLV(.activationDate, .dateTime(now - 60))])])
        let uid = try #require(created.uid)
        let params = TTLV.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.cbc.rawValue)),
                                                               TTLV(.paddingMethod, .enumeration(PaddingMethod.pkcs5.rawValue))])
        let iv = [UInt8](repeating: 9, count: 16)
        let plain = (0..<100).map { UInt8($0) }
        let id = TTLV(.uniqueIdentifier, .textString(uid))
        let first = await call(engine, .encrypt, [id, params, TTLV(.ivCounterNonce, .byteString(iv)), TTLV(.initIndicator, .boolean(true)),
                                                  TTLV(.data, .byteString(Array(plain[0..<40])))])
        let corr = try #require(first.payload?.first(.correlationValue)?.bytes, "\(first.resultMessage ?? "")")
        // Another identity cannot continue this stream.
        let stranger = await call(engine, .encrypt, [id, params, TTLV(.correlationValue, .byteString(corr)), TTLV(.data, .byteString([1]))], as: "b")
        #expect(stranger.resultStatus == .operationFailed)
        let second = await call(engine, .encrypt, [id, params, TTLV(.correlationValue, .byteString(corr)), TTLV(.data, .byteString(Array(plain[40..<80])))])
        // Every step of one stream answers the Correlation Value the first one gave.
        #expect(second.payload?.first(.correlationValue)?.bytes == corr)
        let last = await call(engine, .encrypt, [id, params, TTLV(.correlationValue, .byteString(corr)), TTLV(.finalIndicator, .boolean(true)),
                                                 TTLV(.data, .byteString(Array(plain[80...])))])
        let streamed = (first.payload?.first(.data)?.bytes ?? []) + (second.payload?.first(.data)?.bytes ?? []) + (last.payload?.first(.data)?.bytes ?? [])
        let oneShot = await call(engine, .encrypt, [id, params, TTLV(.ivCounterNonce, .byteString(iv)), TTLV(.data, .byteString(plain))])
        #expect(streamed == oneShot.payload?.first(.data)?.bytes && streamed.count == 112)
        // The stream is gone after Final.
        let again = await call(engine, .encrypt, [id, params, TTLV(.correlationValue, .byteString(corr)), TTLV(.data, .byteString([1]))])
        #expect(again.resultStatus == .operationFailed)
        let back = await call(engine, .decrypt, [id, params, TTLV(.ivCounterNonce, .byteString(iv)), TTLV(.data, .byteString(streamed))])
        #expect(back.payload?.first(.data)?.bytes == plain)
    }

    @Test func streamedSignatureVerifiesLikeOneShot() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await call(engine, .createKeyPair, [
            .structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue)),
                                           TTLV(.cryptographicLength, .integer(256)), TTLV(.activationDate, .dateTime(now - 60))]),
            .structure(.privateKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(1))]),
            .structure(.publicKeyAttributes, [TTLV(.cryptographicUsageMask, .integer(2))])])
        let priv = try #require(r.payload?.first(.privateKeyUniqueIdentifier)?.text), pub = try #require(r.payload?.first(.publicKeyUniqueIdentifier)?.text)
        let first = await call(engine, .sign, [TTLV(.uniqueIdentifier, .textString(priv)), TTLV(.initIndicator, .boolean(true)), TTLV(.data, .byteString(Array("hello ".utf8)))])
        let corr = try #require(first.payload?.first(.correlationValue)?.bytes, "\(first.resultMessage ?? "")")
        let last = await call(engine, .sign, [TTLV(.uniqueIdentifier, .textString(priv)), TTLV(.correlationValue, .byteString(corr)),
                                              TTLV(.finalIndicator, .boolean(true)), TTLV(.data, .byteString(Array("world".utf8)))])
        let sig = try #require(last.payload?.first(.signatureData)?.bytes, "\(last.resultMessage ?? "")")
        let ok = await call(engine, .signatureVerify, [TTLV(.uniqueIdentifier, .textString(pub)), TTLV(.data, .byteString(Array("hello world".utf8))),
                                                       TTLV(.signatureData, .byteString(sig))])
        #expect(ok.payload?.first(.validityIndicator)?.enumValue == ValidityIndicator.valid.rawValue)
        // Streamed Signature Verify: the Signature Data comes with the final part only.
        let v1 = await call(engine, .signatureVerify, [TTLV(.uniqueIdentifier, .textString(pub)), TTLV(.initIndicator, .boolean(true)),
                                                       TTLV(.data, .byteString(Array("hello ".utf8)))])
        let vc = try #require(v1.payload?.first(.correlationValue)?.bytes, "\(v1.resultMessage ?? "")")
        let v2 = await call(engine, .signatureVerify, [TTLV(.uniqueIdentifier, .textString(pub)), TTLV(.correlationValue, .byteString(vc)),
                                                       TTLV(.finalIndicator, .boolean(true)), TTLV(.data, .byteString(Array("world".utf8))),
                                                       TTLV(.signatureData, .byteString(sig))])
        #expect(v2.payload?.first(.validityIndicator)?.enumValue == ValidityIndicator.valid.rawValue, "\(v2.resultMessage ?? "")")
    }

    /// Hash streams like the other single-result operations (KMIP 2.1 §6.1.24).
    @Test func streamedHashEqualsOneShot() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let params = TTLV.structure(.cryptographicParameters, [TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha256.rawValue))])
        let first = await call(engine, .hash, [params, TTLV(.initIndicator, .boolean(true)), TTLV(.data, .byteString(Array("ab".utf8)))])
        let corr = try #require(first.payload?.first(.correlationValue)?.bytes, "\(first.resultMessage ?? "")")
        let middle = await call(engine, .hash, [params, TTLV(.correlationValue, .byteString(corr)), TTLV(.data, .byteString([]))])
        #expect(middle.payload?.first(.correlationValue)?.bytes == corr)
        let last = await call(engine, .hash, [params, TTLV(.correlationValue, .byteString(corr)), TTLV(.finalIndicator, .boolean(true)),
                                              TTLV(.data, .byteString(Array("c".utf8)))])
        #expect(last.payload?.first(.data)?.bytes == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        // Another client cannot continue it, nor can a different algorithm.
        let again = await call(engine, .hash, [params, TTLV(.initIndicator, .boolean(true)), TTLV(.data, .byteString([1]))])
        let c2 = try #require(again.payload?.first(.correlationValue)?.bytes)
        #expect(await call(engine, .hash, [params, TTLV(.correlationValue, .byteString(c2)), TTLV(.data, .byteString([1]))], as: "b").resultStatus == .operationFailed)
        let sha1 = TTLV.structure(.cryptographicParameters, [TTLV(.hashingAlgorithm, .enumeration(HashingAlgorithm.sha1.rawValue))])
        #expect(await call(engine, .hash, [sha1, TTLV(.correlationValue, .byteString(c2)), TTLV(.data, .byteString([1]))]).resultStatus == .operationFailed)
    }
}
