import KMIP
import Foundation

/// Create (KMIP 2.1 §6.1.9): a symmetric key generated inside the token.
struct CreateHandler: OperationHandler {
    func handle(_ request: CreateRequest, _ context: RequestContext) async throws(EngineError) -> CreateResponse {
        let objectType = request.objectType
        guard objectType == .symmetricKey else {
            throw EngineError(.invalidObjectType, "Create makes symmetric keys; \(objectType) is not supported here")
        }
        var object = try ObjectFactory.newObject(.symmetricKey, attributes: request.attributes, tokenObject: .secretKey, context)
        guard let alg = object.cryptographicAlgorithm else {
            throw EngineError(.invalidField, "Create needs Cryptographic Algorithm")
        }
        let length = try KeyGeneration.length(for: alg, requested: object.cryptographicLength)
        object.cryptographicLength = length
        object.set(.keyFormatType, .enumeration(KeyFormatType.raw.rawValue))
        let extractable = ObjectFactory.applyServerAttributes(&object, context)
        let spec = ObjectFactory.secretKeySpec(object, algorithm: alg, lengthBits: length, extractable: extractable)
        let uid = object.uid
        try await ObjectFactory.persist(object, context, generated: true) { token async throws(EngineError) in
            try await token.generateSecretKey(id: uid, spec: spec)
        }
        return CreateResponse(objectType: .symmetricKey, uniqueIdentifier: uid)
    }
}

/// Algorithm/length rules for keys the token generates (KMIP 2.1 §4.7, §4.8).
enum KeyGeneration {
    static func length(for alg: CryptographicAlgorithm, requested: Int?) throws(EngineError) -> Int {
        switch alg {
        case .aes:
            guard let r = requested, [128, 192, 256].contains(r) else {
                throw EngineError(.invalidField, "AES keys are 128, 192 or 256 bits")
            }
            return r
        case ._3des:
            let r = requested ?? 168
            guard r == 168 || r == 192 || r == 112 || r == 128 else { throw EngineError(.invalidField, "3DES keys are 168 (or 192) bits") }
            return r
        default:
            guard let r = requested, r >= 8, r % 8 == 0, r <= 8192 else {
                throw EngineError(.invalidField, "Cryptographic Length must be a positive multiple of 8 for \(alg)")
            }
            return r
        }
    }
}
