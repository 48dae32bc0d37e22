import KMIP

/// The streaming half of Encrypt and Decrypt: Init begins a multi-part operation in the token and
/// answers with a Correlation Value; later requests carry it; Final ends it (for GCM the tag comes
/// out of, or goes into, the last step).
enum Streaming {
    static func isStreaming(_ payload: TTLV) -> Bool {
        payload.first(.initIndicator)?.bool == true || payload.first(.correlationValue) != nil
    }

    static func run(_ payload: TTLV, _ context: RequestContext, encrypt: Bool) async throws(EngineError) -> TTLV {
        let registry = context.services.streams
        for stale in registry.expired(now: context.now) { await stale.stream.cancel() }
        let request = try await CryptoRequest.read(payload, context, need: encrypt ? .encrypt : .decrypt,
                                                   use: encrypt ? .protect : .process, streaming: true)
        let data = request.data ?? []
        let final = payload.first(.finalIndicator)?.bool == true
        var out = [TTLV(.uniqueIdentifier, .textString(request.object.uid))]
        var entry: StreamRegistry.Entry
        var key: [UInt8]?
        var output = [UInt8]()
        if let correlation = payload.first(.correlationValue)?.bytes {
            guard let e = registry.take(correlation, owner: context.identity), e.uid == request.object.uid, e.encrypt == encrypt else {
                throw EngineError(.invalidField, "no streaming operation with that Correlation Value for this key")
            }
            entry = e; key = correlation
        } else {
            let aad = payload.first(.authenticatedEncryptionAdditionalData)?.bytes ?? []
            let choice = try await CipherChoice.choose(request, iv: payload.first(.ivCounterNonce)?.bytes, aad: aad, encrypt: encrypt,
                                                       context)
            guard choice.hostPadding == nil else { throw EngineError(.featureNotSupported, "ECB with PKCS#5 padding cannot stream") }
            let stream = try await context.services.token.beginStream(id: request.object.uid, cipher: choice.cipher, encrypt: encrypt)
            entry = StreamRegistry.Entry(stream: stream, uid: request.object.uid, owner: context.identity, encrypt: encrypt,
                                         tagLength: choice.tagLength, lastUsed: context.now)
            if let iv = choice.generatedIV { out.append(TTLV(.ivCounterNonce, .byteString(iv))) }
        }
        if encrypt { try await request.consumeUsage(data.count, context) }
        do throws(EngineError) {
            if !data.isEmpty { output = try await entry.stream.update(data) }
            if final {
                if !encrypt, let t = entry.tagLength {
                    guard let tag = payload.first(.authenticatedEncryptionTag)?.bytes, tag.count >= t else {
                        throw EngineError(.invalidField, "the final GCM decryption step needs the Authenticated Encryption Tag")
                    }
                    output += try await entry.stream.update(Array(tag.prefix(t)))
                }
                output += try await entry.stream.finish()
            }
        } catch {
            await entry.stream.cancel()
            throw error.code == .cryptographicFailure || error.code == .tokenUnavailable
                ? EngineError(.cryptographicFailure, "streaming \(encrypt ? "encryption" : "decryption") failed: \(error.message)", underlying: error.underlying)
                : error
        }
        if final {
            if encrypt, let t = entry.tagLength, output.count >= t {
                out.append(TTLV(.data, .byteString(Array(output.dropLast(t)))))
                out.append(TTLV(.authenticatedEncryptionTag, .byteString(Array(output.suffix(t)))))
            } else {
                out.append(TTLV(.data, .byteString(output)))
            }
        } else {
            entry.lastUsed = context.now
            let correlation: [UInt8]
            if let key { registry.putBack(key, entry); correlation = key } else { correlation = try registry.add(entry) }
            out.append(TTLV(.data, .byteString(output)))
            out.append(TTLV(.correlationValue, .byteString(correlation)))
        }
        return .structure(.responsePayload, out)
    }
}
