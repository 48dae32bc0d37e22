import KMIP

/// Interop (KMIP 2.1 §6.1.26): the test-harness bracket (Begin, End, Reset) used by the OASIS
/// profile test cases. It has no effect on managed objects.
struct InteropHandler: OperationHandler {
    static let operation = Operation.interop
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        guard payload.first(.interopFunction)?.enumValue != nil else { throw EngineError(.invalidField, "Interop needs Interop Function") }
        return response([])
    }
}
