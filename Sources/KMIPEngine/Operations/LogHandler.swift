import KMIP

/// Log (KMIP 2.0+, §6.1.29): a client's message, recorded in the audit file on the request's own line
/// (with its identity) and in the server's log.
struct LogHandler: OperationHandler {
    func handle(_ request: LogRequest, _ context: RequestContext) async throws(EngineError) -> EmptyResponse {
        context.auditMessage = request.message
        context.services.audit.notice("client log", metadata: ["identity": "\(context.identity)", "message": "\(request.message)"])
        return EmptyResponse()
    }
}
