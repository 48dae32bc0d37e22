import KMIP

/// Decrypt (KMIP 2.1 §6.1.14): C_Decrypt in the token. A GCM tag that does not match is a
/// Cryptographic Failure (SoftHSM2 reports CKR_GENERAL_ERROR for it).
struct DecryptHandler: OperationHandler {
    static let operation = Operation.decrypt
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        if Streaming.isStreaming(payload) { return try await Streaming.run(payload, context, encrypt: false) }
        let request = try await CryptoRequest.read(payload, context, need: .decrypt, use: .process)
        var data = try request.requireData()
        let aad = payload.first(.authenticatedEncryptionAdditionalData)?.bytes ?? []
        let choice = try await CipherChoice.choose(request, iv: payload.first(.ivCounterNonce)?.bytes, aad: aad, encrypt: false,
                                                   context)
        if let t = choice.tagLength {
            guard let tag = payload.first(.authenticatedEncryptionTag)?.bytes, tag.count >= t else {
                throw EngineError(.invalidField, "GCM decryption needs an Authenticated Encryption Tag of \(t) bytes")
            }
            data += tag.prefix(t)
        }
        var plain: [UInt8]
        do {
            plain = try await context.services.token.decrypt(id: request.object.uid, cipher: choice.cipher, data: data)
        } catch where error.code == .cryptographicFailure {
            throw EngineError(.cryptographicFailure, "decryption failed (wrong key, IV, tag or data): \(error.message)", underlying: error.underlying)
        }
        if let block = choice.hostPadding { plain = try CipherChoice.unpad(plain, block: block) }
        return response([TTLV(.uniqueIdentifier, .textString(request.object.uid)), TTLV(.data, .byteString(plain))])
    }
}
