import KMIP

/// Query (KMIP 2.1 §6.1.37): operations, object types, server information.
struct QueryHandler: OperationHandler {
    static let objectTypes: [ObjectType] = [.symmetricKey, .publicKey, .privateKey, .certificate, .secretData, .opaqueObject]

    func handle(_ request: QueryRequest, _ context: RequestContext) async throws(EngineError) -> QueryResponse {
        var out = QueryResponse()
        for f in request.functions where (f.since ?? .v1_0) <= context.version {
            switch f {
            case .queryOperations:
                out.operations = Operations.supported.filter { ($0.since ?? .v1_0) <= context.version }
            case .queryObjects:
                out.objectTypes = Self.objectTypes
            case .queryServerInformation:
                let info = context.services.serverInfo
                out.vendorIdentification = info.vendorIdentification
                let kinds = context.services.token.keyPairKinds.joined(separator: ", ")
                out.serverInformation = ServerInformation(
                    serverName: "\(info.productName) \(info.productVersion) \(info.tokenDescription); key pairs: \(kinds)",
                    productName: info.productName, buildLevel: info.productVersion)
            case .queryCapabilities:
                // What this server does: batches with Continue (not Undo), no asynchronous operations,
                // no attestation; Destroy deletes the key material and keeps the metadata.
                out.capabilityInformation = CapabilityInformation(streaming: false, asynchronous: false, attestation: false,
                                                                  batchUndo: false, batchContinue: true, destroyAction: .keyMaterialDeleted)
            case .queryRNGs:
                if let rng = context.services.token.randomNumberGenerator { out.rngParameters = [rng.parameters] }
            case .queryStorageProtectionMasks:
                if let mask = context.services.token.protectionStorageMask { out.protectionStorageMasks = [mask] }
            default:
                continue // Functions we have nothing to report for are answered with nothing (§6.1.37).
            }
        }
        return out
    }
}
