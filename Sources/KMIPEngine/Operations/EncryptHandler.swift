import KMIP

/// Encrypt (KMIP 2.1 §6.1.17): C_Encrypt in the token; the IV is returned when the server made it, the
/// GCM tag as Authenticated Encryption Tag.
struct EncryptHandler: OperationHandler {
    func handle(_ r: EncryptRequest, _ context: RequestContext) async throws(EngineError) -> EncryptResponse {
        if r.stream.isStreaming {
            return try await Streaming.encrypt(r, context)
        }
        let request = try await CryptoRequest.read(r, context, need: .encrypt, use: .protect)
        let data = try request.requireData()
        try await request.consumeUsage(data.count, context)
        let choice = try await CipherChoice.choose(request, iv: r.ivCounterNonce, aad: r.additionalData ?? [], encrypt: true, context)
        let input = choice.hostPadding.map { CipherChoice.pad(data, block: $0) } ?? data
        var output = try await context.services.token.encrypt(id: request.object.uid, cipher: choice.cipher, data: input)
        var tag: [UInt8]?
        if let t = choice.tagLength {  // the token returns ciphertext ‖ tag
            guard output.count >= t else { throw EngineError(.cryptographicFailure, "the token returned no GCM tag") }
            tag = Array(output.suffix(t)); output.removeLast(t)
        }
        return EncryptResponse(request.object.uid, data: output, ivCounterNonce: choice.generatedIV, tag: tag)
    }
}
