import KMIP

/// Get Attribute List (KMIP 2.1 §6.1.24): names (1.x) or references (2.x) of the attributes an object has.
struct GetAttributeListHandler: OperationHandler {
    static let operation = Operation.getAttributeList

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let uid = try context.uid(in: payload)
        let object = try await context.fetch(uid)
        var seen = Set<String>(), out = [TTLV(.uniqueIdentifier, .textString(uid))]
        for a in object.attributes where a.isDefined(in: context.version) && seen.insert(a.name).inserted {
            if context.version.isV2 {
                if a.isVendor, !a.name.isEmpty {
                    // The same vendor/name split as the 2.x vendor Attribute structure.
                    let v = a.v2
                    out.append(.structure(.attributeReference, [v.first(.vendorIdentification)!, v.first(.attributeName)!]))
                } else if let t = a.tag {
                    out.append(TTLV(.attributeReference, .enumeration(t.rawValue)))
                }
            } else {
                out.append(TTLV(.attributeName, .textString(a.name)))
            }
        }
        context.idPlaceholder = uid
        return response(out)
    }
}
