import KMIP

/// Log (KMIP 2.0+, §6.1.29): a client's message, written to the server's audit log with its identity.
struct LogHandler: OperationHandler {
    func handle(_ request: LogRequest, _ context: RequestContext) async throws(EngineError) -> EmptyResponse {
        context.services.audit.notice("client log", metadata: ["identity": "\(context.identity)", "message": "\(request.message)"])
        return EmptyResponse()
    }
}
