import KMIP

/// Export (KMIP 2.0+, §6.1.18): the object as Get returns it (plain or wrapped in the token), with all
/// its attributes.
struct ExportHandler: OperationHandler {
    func handle(_ request: ExportRequest, _ context: RequestContext) async throws(EngineError) -> ExportResponse {
        let got = try await GetHandler().handle(request.request, context)
        let object = try await context.fetch(got.uniqueIdentifier)
        return ExportResponse(got.uniqueIdentifier, attributes: object.attributes, object: got.object)
    }
}
