import KMIP

/// Log (KMIP 2.0+, §6.1.28): a client's message, written to the server's audit log with its identity.
struct LogHandler: OperationHandler {
    static let operation = Operation.log
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let message: String
        do { message = try payload.requiredText(.logMessage) } catch { throw EngineError(error) }
        context.services.audit.notice("client log", metadata: ["identity": "\(context.identity)", "message": "\(message)"])
        return response([])
    }
}
