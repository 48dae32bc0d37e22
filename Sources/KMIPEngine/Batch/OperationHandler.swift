import KMIP

/// One KMIP operation: a typed request in, a typed response out (KMIP 2.1 §6.1). The executor decodes
/// the request and encodes the response for the client's version; a handler never sees TTLV.
public protocol OperationHandler: Sendable {
    associatedtype Request: RequestPayload
    associatedtype Response: ResponsePayload
    static var operation: Operation { get }
    func handle(_ request: Request, _ context: RequestContext) async throws(EngineError) -> Response
}

extension OperationHandler {
    public static var operation: Operation { Request.operation }

    /// Decodes this operation's request payload; range rules are checked here.
    func decode(_ payload: TTLV, _ version: ProtocolVersion) throws(EngineError) -> any RequestPayload {
        do { return try Request(payload: payload, version: version) } catch { throw EngineError(error) }
    }

    /// Runs a request `decode` made.
    func run(_ request: any RequestPayload, _ context: RequestContext) async throws(EngineError) -> any ResponsePayload {
        guard let typed = request as? Request else { throw EngineError(.generalFailure, "request routed to the wrong handler") }
        return try await handle(typed, context)
    }
}
