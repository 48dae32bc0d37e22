import KMIP
import SwiftASN1

/// Sign (KMIP 2.1 §6.1.55): C_Sign with the private key in the token. ECDSA is hashed on the host
/// (SoftHSM2 has no CKM_ECDSA_SHA*) and its raw r‖s is DER-encoded on the wire.
struct SignHandler: OperationHandler {
    func handle(_ r: SignRequest, _ context: RequestContext) async throws(EngineError) -> SignatureResponse {
        var request = try await CryptoRequest.read(r, context, need: .sign, use: .protect, streaming: true)
        if let more = try await MessageStreaming.gather(r, &request, context) {
            return SignatureResponse(request.object.uid, field: .signatureData, value: nil, correlationValue: more)
        }
        let (mechanism, input, encoding) = try await SignaturePlan.make(request, digested: r.digestedData, context.services.token)
        try await request.consumeUsage(input.count, context)
        var signature = try await context.services.token.sign(id: request.object.uid, mechanism: mechanism, data: input)
        if encoding == .derECDSA { signature = try SignaturePlan.der(signature) }
        return SignatureResponse(request.object.uid, field: .signatureData, value: signature)
    }
}

/// Signature Verify (KMIP 2.1 §6.1.56): C_Verify with the public key in the token.
struct SignatureVerifyHandler: OperationHandler {
    func handle(_ r: SignatureVerifyRequest, _ context: RequestContext) async throws(EngineError) -> VerifyResponse {
        var request = try await CryptoRequest.read(r, context, need: .verify, use: .process, streaming: true)
        if let more = try await MessageStreaming.gather(r, &request, context) {
            return VerifyResponse(request.object.uid, validity: nil, correlationValue: more)
        }
        guard var signature = r.signatureData else { throw EngineError(.invalidField, "Signature Data is required") }
        let (mechanism, input, encoding) = try await SignaturePlan.make(request, digested: r.digestedData, context.services.token)
        if encoding == .derECDSA, let raw = SignaturePlan.raw(signature, size: SignaturePlan.curveSize(request)) { signature = raw }
        var valid = try await context.services.token.verify(id: request.object.uid, mechanism: mechanism, data: input, signature: signature)
        // RSA-PSS without a Salt Length: signers use the hash length or the maximum; accept either.
        if !valid, case .rsaPSS(let hash, _) = mechanism, request.parameters.saltLength == nil,
           let bits = request.object.cryptographicLength {
            let maxSalt = (bits + 7) / 8 - SignaturePlan.digestLength(hash) - 2
            valid = try await context.services.token.verify(id: request.object.uid, mechanism: .rsaPSS(hash, saltLength: maxSalt),
                                                            data: input, signature: signature)
        }
        return VerifyResponse(request.object.uid, validity: valid ? .valid : .invalid)
    }
}

/// How a signature is made for a key and its parameters.
enum SignaturePlan {
    enum Encoding { case raw, derECDSA }

    static func hashFor(_ p: CryptographicParameters) -> HashingAlgorithm {
        if let h = p.hashing { return h }
        switch p.signatureAlgorithm {
        case .sha1WithRSAEncryption?, .ecdsaWithSHA1?: return .sha1
        case .sha384WithRSAEncryption?, .ecdsaWithSHA384?: return .sha384
        case .sha512WithRSAEncryption?, .ecdsaWithSHA512?: return .sha512
        case .sha224WithRSAEncryption?, .ecdsaWithSHA224?: return .sha224
        default: return .sha256
        }
    }

    static func make(_ r: CryptoRequest, digested: [UInt8]?, _ token: any Token) async throws(EngineError) -> (SigningMechanism, [UInt8], Encoding) {
        let data = digested ?? r.data
        guard let data else { throw EngineError(.invalidField, "Data or Digested Data is required") }
        let hash = hashFor(r.parameters)
        switch r.algorithm {
        case .rsa:
            if r.parameters.padding == .pss || r.parameters.signatureAlgorithm == .rsassaPSS {
                guard digested == nil else { throw EngineError(.featureNotSupported, "RSA-PSS over Digested Data is not supported") }
                return (.rsaPSS(hash, saltLength: r.parameters.saltLength ?? digestLength(hash)), data, .raw)
            }
            if let digested { return (.rsaPKCS1Raw, try digestInfo(hash) + digested, .raw) }
            return (.rsaPKCS1(hash), data, .raw)
        case .ec, .ecdsa:
            let digest: [UInt8]
            if let digested { digest = digested } else { digest = try await token.hash(hash, data: data) }
            return (.ecdsaDigest, digest, .derECDSA)
        case .ed25519:
            return (.eddsa, data, .raw)
        default:
            throw EngineError(.featureNotSupported, "signatures with \(r.algorithm) are not supported")
        }
    }

    static func digestLength(_ h: HashingAlgorithm) -> Int {
        switch h { case .sha1: 20; case .sha224: 28; case .sha384: 48; case .sha512: 64; default: 32 }
    }

    static func digestInfo(_ h: HashingAlgorithm) throws(EngineError) -> [UInt8] { try DigestInfo.prefix(h) }

    static func curveSize(_ r: CryptoRequest) -> Int {
        switch r.object.cryptographicLength { case 384?: 48; case 521?: 66; default: 32 }
    }

    static func der(_ raw: [UInt8]) throws(EngineError) -> [UInt8] {
        do { return try TokenSigningKey.derECDSA(raw) } catch { throw EngineError(.cryptographicFailure, "ECDSA signature encoding: \(error)") }
    }

    /// DER ECDSA-Sig-Value to raw r‖s of `size` bytes each (nil if it is not DER: then passed as is).
    static func raw(_ der: [UInt8], size: Int) -> [UInt8]? {
        guard let pair = try? KeyDER.integers(try DER.parse(der)), pair.count == 2 else { return nil }
        func fixed(_ v: [UInt8]) -> [UInt8]? { v.count <= size ? [UInt8](repeating: 0, count: size - v.count) + v : nil }
        guard let r = fixed(AsymmetricKey.magnitude(pair[0])), let s = fixed(AsymmetricKey.magnitude(pair[1])) else { return nil }
        return r + s
    }
}
