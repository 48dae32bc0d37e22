import KMIP

/// Discover Versions (KMIP 2.1 §6.1.16): the versions both sides speak, in the server's preference order.
struct DiscoverVersionsHandler: OperationHandler {
    func handle(_ request: DiscoverVersionsRequest, _ context: RequestContext) async throws(EngineError) -> DiscoverVersionsResponse {
        let offered = request.protocolVersions
        return DiscoverVersionsResponse(offered.isEmpty ? ProtocolVersion.supported : offered.filter { ProtocolVersion.supported.contains($0) })
    }
}
