import KMIP

/// The streaming half of Encrypt and Decrypt: Init begins a multi-part operation in the token and
/// answers with a Correlation Value; later requests carry it; Final ends it (for GCM the tag comes
/// out of, or goes into, the last step).
enum Streaming {
    /// What one step brings beyond the shared cryptographic fields.
    struct Step {
        var iv: [UInt8]?
        var aad: [UInt8]
        var tag: [UInt8]?
    }

    struct Result {
        var uid: String
        var data: [UInt8]
        var iv: [UInt8]?
        var correlation: [UInt8]?
        var tag: [UInt8]?
    }

    static func encrypt(_ r: EncryptRequest, _ context: RequestContext) async throws(EngineError) -> EncryptResponse {
        let out = try await run(r, Step(iv: r.ivCounterNonce, aad: r.additionalData ?? [], tag: nil), context, encrypt: true)
        return EncryptResponse(out.uid, data: out.data, ivCounterNonce: out.iv, correlationValue: out.correlation, tag: out.tag)
    }

    static func decrypt(_ r: DecryptRequest, _ context: RequestContext) async throws(EngineError) -> DataResponse {
        let out = try await run(r, Step(iv: r.ivCounterNonce, aad: r.additionalData ?? [], tag: r.tag), context, encrypt: false)
        return DataResponse(out.uid, data: out.data, correlationValue: out.correlation)
    }

    static func run(_ payload: some CryptographicRequest, _ step: Step, _ context: RequestContext, encrypt: Bool) async throws(EngineError) -> Result {
        let registry = context.services.streams
        for stale in registry.expired(now: context.now) { await stale.stream.cancel() }
        let request = try await CryptoRequest.read(payload, context, need: encrypt ? .encrypt : .decrypt,
                                                   use: encrypt ? .protect : .process, streaming: true)
        let data = request.data ?? []
        let final = payload.stream.isFinal
        var result = Result(uid: request.object.uid, data: [])
        var entry: StreamRegistry.Entry
        var key: [UInt8]?
        var output = [UInt8]()
        if let correlation = payload.stream.correlationValue {
            guard let e = registry.take(correlation, owner: context.identity), e.uid == request.object.uid, e.encrypt == encrypt else {
                throw EngineError(.invalidField, "no streaming operation with that Correlation Value for this key\(StreamRegistry.nodeHint(context))")
            }
            entry = e; key = correlation
        } else {
            let choice = try await CipherChoice.choose(request, iv: step.iv, aad: step.aad, encrypt: encrypt, context)
            guard choice.hostPadding == nil else { throw EngineError(.featureNotSupported, "ECB with PKCS#5 padding cannot stream") }
            let stream = try await context.services.token.beginStream(id: request.object.uid, cipher: choice.cipher, encrypt: encrypt)
            entry = StreamRegistry.Entry(stream: stream, uid: request.object.uid, owner: context.identity, encrypt: encrypt,
                                         tagLength: choice.tagLength, lastUsed: context.now)
            result.iv = choice.generatedIV
        }
        if encrypt { try await request.consumeUsage(data.count, context) }
        do throws(EngineError) {
            if !data.isEmpty { output = try await entry.stream.update(data) }
            if final {
                if !encrypt, let t = entry.tagLength {
                    guard let tag = step.tag, tag.count >= t else {
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
                result.data = Array(output.dropLast(t))
                result.tag = Array(output.suffix(t))
            } else {
                result.data = output
            }
        } else {
            entry.lastUsed = context.now
            if let key { registry.putBack(key, entry); result.correlation = key } else { result.correlation = try registry.add(entry) }
            result.data = output
        }
        return result
    }
}
