import KMIP

/// Encrypt (KMIP 2.1 §6.1.18): C_Encrypt in the token; the IV is returned when the server made it, the
/// GCM tag as Authenticated Encryption Tag.
struct EncryptHandler: OperationHandler {
    static let operation = Operation.encrypt
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        if Streaming.isStreaming(payload) { return try await Streaming.run(payload, context, encrypt: true) }
        let request = try await CryptoRequest.read(payload, context, need: .encrypt, use: .protect)
        let data = try request.requireData()
        try await request.consumeUsage(data.count, context)
        let aad = payload.first(.authenticatedEncryptionAdditionalData)?.bytes ?? []
        let choice = try await CipherChoice.choose(request, iv: payload.first(.ivCounterNonce)?.bytes, aad: aad, encrypt: true,
                                                   context)
        let input = choice.hostPadding.map { CipherChoice.pad(data, block: $0) } ?? data
        var output = try await context.services.token.encrypt(id: request.object.uid, cipher: choice.cipher, data: input)
        var out = [TTLV(.uniqueIdentifier, .textString(request.object.uid))]
        var tag: [UInt8]?
        if let t = choice.tagLength {  // the token returns ciphertext ‖ tag
            guard output.count >= t else { throw EngineError(.cryptographicFailure, "the token returned no GCM tag") }
            tag = Array(output.suffix(t)); output.removeLast(t)
        }
        out.append(TTLV(.data, .byteString(output)))
        if let iv = choice.generatedIV { out.append(TTLV(.ivCounterNonce, .byteString(iv))) }
        if let tag { out.append(TTLV(.authenticatedEncryptionTag, .byteString(tag))) }
        return response(out)
    }
}
