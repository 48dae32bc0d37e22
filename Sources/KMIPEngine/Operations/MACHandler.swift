import KMIP

/// MAC (KMIP 2.1 §6.1.32) and MAC Verify (§6.1.33): HMAC with the key's hash, or AES-CMAC, in the token.
struct MACHandler: OperationHandler {
    func handle(_ r: MACRequest, _ context: RequestContext) async throws(EngineError) -> SignatureResponse {
        var request = try await CryptoRequest.read(r, context, need: .macGenerate, use: .protect, streaming: true)
        if let more = try await MessageStreaming.gather(r, &request, context) {
            return SignatureResponse(request.object.uid, field: .macData, value: nil, correlationValue: more)
        }
        let data = try request.requireData()
        try await request.consumeUsage(data.count, context)
        let mac = try await context.services.token.sign(id: request.object.uid, mechanism: try Self.mechanism(request), data: data)
        return SignatureResponse(request.object.uid, field: .macData, value: mac)
    }

    /// The MAC algorithm: the Cryptographic Parameters' (request, else the key's), else the key's own.
    static func mechanism(_ r: CryptoRequest) throws(EngineError) -> SigningMechanism {
        let alg = r.algorithm
        switch alg {
        case .hmacSHA1: return .hmac(.sha1)
        case .hmacSHA224: return .hmac(.sha224)
        case .hmacSHA256: return .hmac(.sha256)
        case .hmacSHA384: return .hmac(.sha384)
        case .hmacSHA512: return .hmac(.sha512)
        case .aes: return .cmac
        default:
            if let h = r.parameters.hashing { return .hmac(h) }
            throw EngineError(.featureNotSupported, "MAC with a \(alg) key is not supported")
        }
    }
}

struct MACVerifyHandler: OperationHandler {
    func handle(_ r: MACVerifyRequest, _ context: RequestContext) async throws(EngineError) -> VerifyResponse {
        let request = try await CryptoRequest.read(r, context, need: .macVerify, use: .process)
        guard let mac = r.macData, !mac.isEmpty else { throw EngineError(.invalidField, "MAC Data is required") }
        // Not counted against Usage Limits: they reflect applying protection only (KMIP 2.1 §4.59),
        // as Decrypt and Signature Verify are not counted either.
        let data = try request.requireData()
        // The token computes the MAC; the comparison (of public values) is here, in constant time, so
        // MAC and MAC Verify always agree.
        let computed = try await context.services.token.sign(id: request.object.uid, mechanism: try MACHandler.mechanism(request), data: data)
        let valid = Self.acceptsLength(mac.count, of: computed.count) && zip(mac, computed).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        return VerifyResponse(request.object.uid, validity: valid ? .valid : .invalid)
    }

    /// A MAC matches in full, or truncated as RFC 2104 §5 allows: to no fewer than half its bytes and
    /// no fewer than 80 bits (10 bytes). A shorter prefix could be guessed.
    static func acceptsLength(_ given: Int, of full: Int) -> Bool {
        given <= full && given >= max(10, (full + 1) / 2)
    }
}
