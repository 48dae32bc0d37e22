import KMIP

/// Decrypt (KMIP 2.1 §6.1.11): C_Decrypt in the token. A GCM tag that does not match is a
/// Cryptographic Failure (SoftHSM2 reports CKR_GENERAL_ERROR for it).
struct DecryptHandler: OperationHandler {
    func handle(_ r: DecryptRequest, _ context: RequestContext) async throws(EngineError) -> DataResponse {
        if r.stream.isStreaming {
            return try await Streaming.decrypt(r, context)
        }
        let request = try await CryptoRequest.read(r, context, need: .decrypt, use: .process)
        var data = try request.requireData()
        let choice = try await CipherChoice.choose(request, iv: r.ivCounterNonce, aad: r.additionalData ?? [], encrypt: false, context)
        if let t = choice.tagLength {
            guard let tag = r.tag, tag.count >= t else {
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
        return DataResponse(request.object.uid, data: plain)
    }
}
