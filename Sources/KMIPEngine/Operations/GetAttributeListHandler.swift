import KMIP

/// Get Attribute List (KMIP 2.1 §6.1.21): names (1.x) or references (2.x) of the attributes an object has.
struct GetAttributeListHandler: OperationHandler {
    func handle(_ request: GetAttributeListRequest, _ context: RequestContext) async throws(EngineError) -> GetAttributeListResponse {
        let uid = try context.uid(request.uniqueIdentifier)
        let object = try await context.fetch(uid)
        var seen = Set<String>(), names = [String]()
        for a in object.attributes where a.isDefined(in: context.version) && seen.insert(a.name).inserted { names.append(a.name) }
        context.idPlaceholder = uid
        return GetAttributeListResponse(uid, names: names)
    }
}
