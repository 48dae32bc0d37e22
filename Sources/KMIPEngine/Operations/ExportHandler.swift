import KMIP

/// Export (KMIP 2.0+, §6.1.21): the object as Get returns it (plain or wrapped in the token), with all
/// its attributes.
struct ExportHandler: OperationHandler {
    static let operation = Operation.export
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let got = try await GetHandler().handle(payload, context)
        guard let uid = got.first(.uniqueIdentifier)?.text else { throw EngineError(.generalFailure, "Get returned no identifier") }
        let object = try await context.fetch(uid)
        var children = got.children
        children.insert(contentsOf: AttributeList.encode(object.attributes, version: context.version), at: 2)
        return .structure(.responsePayload, children)
    }
}
