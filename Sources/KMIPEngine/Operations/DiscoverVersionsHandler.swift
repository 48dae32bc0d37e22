import KMIP

/// Discover Versions (KMIP 2.1 §6.1.17): the versions both sides speak, in the server's preference order.
struct DiscoverVersionsHandler: OperationHandler {
    static let operation = Operation.discoverVersions
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        var offered = [ProtocolVersion]()
        for v in payload.all(.protocolVersion) {
            do { offered.append(try ProtocolVersion(ttlv: v)) } catch { throw EngineError(error) }
        }
        let answer = offered.isEmpty ? ProtocolVersion.supported : offered.filter { ProtocolVersion.supported.contains($0) }
        return response(answer.map { $0.ttlv() })
    }
}
