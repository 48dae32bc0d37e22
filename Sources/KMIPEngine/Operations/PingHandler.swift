import KMIP

/// Ping (KMIP 2.1 §6.1.36): answers, so a client can tell the server is there.
struct PingHandler: OperationHandler {
    func handle(_ request: PingRequest, _ context: RequestContext) async throws(EngineError) -> EmptyResponse { EmptyResponse() }
}
