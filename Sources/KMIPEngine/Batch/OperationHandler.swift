import KMIP

/// One KMIP operation. Each handler reads its own request payload and returns the response payload
/// (a Response Payload structure); failures are `EngineError`s.
public protocol OperationHandler: Sendable {
    static var operation: Operation { get }
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV
}

extension OperationHandler {
    /// Shorthand for building the Response Payload.
    func response(_ children: [TTLV]) -> TTLV { .structure(.responsePayload, children) }
}
