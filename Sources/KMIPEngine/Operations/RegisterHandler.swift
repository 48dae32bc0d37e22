import KMIP
import Foundation

/// Register (KMIP 2.1 §6.1.41): symmetric keys are imported into the token; secret and opaque data are
/// stored in the token as private data objects. Nothing secret reaches the store.
struct RegisterHandler: OperationHandler {
    static let operation = Operation.register

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let objectType: ObjectType
        var attributes: [Attribute]
        do {
            objectType = ObjectType(rawValue: try payload.requiredEnum(.objectType))
            let container = payload.first(.attributes) ?? payload.first(.templateAttribute) ?? .structure(.attributes, [])
            attributes = try AttributeList.read(container)
        } catch { throw EngineError(error) }
        let parsed = try KeyBlockCodec.parse(objectType: objectType, payload: payload)
        attributes += parsed.embeddedAttributes
        try AttributeRules.validateClientAttributes(attributes)
        attributes.removeAll { $0.name == "Object Type" }
        guard !parsed.material.isEmpty else { throw EngineError(.invalidField, "empty key material") }

        let uid = UUID().uuidString.lowercased()
        var object = ManagedObject(uid: uid, objectType: objectType, owner: context.identity, attributes: attributes,
                                   tokenObject: objectType == .symmetricKey ? .secretKey : .data)
        if objectType != .opaqueObject { object.set(.keyFormatType, .enumeration(parsed.formatType.rawValue)) }
        switch objectType {
        case .symmetricKey:
            guard let alg = parsed.algorithm ?? attributes.first(where: { $0.name == "Cryptographic Algorithm" })?.value.enumValue.map(CryptographicAlgorithm.init(rawValue:)) else {
                throw EngineError(.invalidField, "a symmetric key needs Cryptographic Algorithm")
            }
            let bits = parsed.material.count * 8
            if let l = parsed.lengthBits, l != bits, alg != ._3des {
                throw EngineError(.invalidField, "Cryptographic Length \(l) does not match \(bits) bits of key material")
            }
            object.set(.cryptographicAlgorithm, .enumeration(alg.rawValue))
            object.set(.cryptographicLength, .integer(Int32(parsed.lengthBits ?? bits)))
        case .secretData:
            object.set(.secretDataType, .enumeration((parsed.secretDataType ?? .password).rawValue))
        case .opaqueObject:
            object.set(.opaqueDataType, .enumeration((parsed.opaqueDataType ?? .unknown).rawValue))
        default:
            throw EngineError(.invalidObjectType, "Register of \(objectType) is not supported yet")
        }
        let extractable = NewObject.applyServerAttributes(&object, context)
        let label = NewObject.label(object)
        let material = parsed.material
        if objectType == .symmetricKey {
            let spec = SecretKeySpec(algorithm: CryptographicAlgorithm(rawValue: object.first(.cryptographicAlgorithm)!.value.enumValue!),
                                     lengthBits: material.count * 8, extractable: extractable,
                                     usage: CryptographicUsageMaskBits(rawValue: object.usageMask), label: label)
            try await NewObject.persist(object, context, generated: false) { token async throws(EngineError) in
                try await token.importSecretKey(id: uid, spec: spec, material: material)
            }
        } else {
            try await NewObject.persist(object, context, generated: false) { token async throws(EngineError) in
                try await token.storeData(id: uid, label: label, bytes: material)
            }
        }
        context.idPlaceholder = uid
        return response([TTLV(.uniqueIdentifier, .textString(uid))])
    }
}
