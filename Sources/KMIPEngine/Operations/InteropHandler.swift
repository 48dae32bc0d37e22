import KMIP

/// Interop (KMIP 2.1 §6.1.26): the test-harness bracket (Begin, End, Reset) used by the OASIS
/// profile test cases. It has no effect on managed objects.
struct InteropHandler: OperationHandler {
    func handle(_ request: InteropRequest, _ context: RequestContext) async throws(EngineError) -> EmptyResponse { EmptyResponse() }
}
