import KMIP
import Foundation

/// Create (KMIP 2.1 §6.1.8): a symmetric key generated inside the token, or (2.x) Secret Data from
/// the token's random number generator.
struct CreateHandler: OperationHandler {
    func handle(_ request: CreateRequest, _ context: RequestContext) async throws(EngineError) -> CreateResponse {
        let objectType = request.objectType
        if objectType == .secretData && context.version.isV2 { return try await createSecretData(request, context) }
        guard objectType == .symmetricKey else {
            throw EngineError(.invalidObjectType, "Create makes symmetric keys\(context.version.isV2 ? " and Secret Data" : ""); not \(objectType)")
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

    /// Secret Data of Cryptographic Length bits (a whole number of bytes, at most 64 KiB) from
    /// C_GenerateRandom, stored in the token like registered secrets; Secret Data Type Seed.
    func createSecretData(_ request: CreateRequest, _ context: RequestContext) async throws(EngineError) -> CreateResponse {
        var object = try ObjectFactory.newObject(.secretData, attributes: request.attributes, tokenObject: .data, context)
        guard let bits = object.cryptographicLength, bits > 0, bits % 8 == 0, bits <= 65536 * 8 else {
            throw EngineError(.invalidField, "Create of Secret Data needs a Cryptographic Length of whole bytes, at most 64 KiB")
        }
        object.set(.secretDataType, .enumeration(SecretDataType.seed.rawValue))
        object.set(.keyFormatType, .enumeration(KeyFormatType.opaque.rawValue))
        ObjectFactory.applyServerAttributes(&object, context)
        let uid = object.uid, label = ObjectFactory.label(object)
        try await ObjectFactory.persist(object, context, generated: true) { token async throws(EngineError) in
            let bytes = try await token.random(count: bits / 8)
            try await token.storeData(id: uid, label: label, bytes: bytes)
        }
        return CreateResponse(objectType: .secretData, uniqueIdentifier: uid)
    }
}

/// Algorithm/length rules for keys the token generates (KMIP 2.1 §4.13, §4.15).
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
