import KMIP

/// Query (KMIP 2.1 §6.1.37): operations, object types, server information.
struct QueryHandler: OperationHandler {
    static let operation = Operation.query
    static let objectTypes: [ObjectType] = [.symmetricKey, .publicKey, .privateKey, .certificate, .secretData, .opaqueObject]

    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        var out = [TTLV]()
        let functions = payload.all(.queryFunction).compactMap { $0.enumValue }.map(QueryFunction.init(rawValue:))
        for f in functions where (f.since ?? .v1_0) <= context.version {
            switch f {
            case .queryOperations:
                for op in Operations.all.map({ type(of: $0).operation }) where (op.since ?? .v1_0) <= context.version {
                    out.append(TTLV(.operation, .enumeration(op.rawValue)))
                }
            case .queryObjects:
                for t in Self.objectTypes { out.append(TTLV(.objectType, .enumeration(t.rawValue))) }
            case .queryServerInformation:
                let info = context.services.serverInfo
                out.append(TTLV(.vendorIdentification, .textString(info.vendorIdentification)))
                let kinds = context.services.token.keyPairKinds.joined(separator: ", ")
                let detail = "\(info.productName) \(info.productVersion) \(info.tokenDescription); key pairs: \(kinds)"
                out.append(.structure(.serverInformation, context.version.isV2
                    ? [TTLV(.productName, .textString(info.productName)), TTLV(.buildLevel, .textString(info.productVersion)),
                       TTLV(.serverName, .textString(detail))]
                    : [TTLV(.serverName, .textString(detail))]))
            case .queryCapabilities:
                // What this server does: batches with Continue (not Undo), no streaming, no asynchronous
                // operations, no attestation; Destroy deletes the key material and keeps the metadata.
                out.append(.structure(.capabilityInformation, [
                    TTLV(.streamingCapability, .boolean(false)), TTLV(.asynchronousCapability, .boolean(false)),
                    TTLV(.attestationCapability, .boolean(false)), TTLV(.batchUndoCapability, .boolean(false)),
                    TTLV(.batchContinueCapability, .boolean(true)),
                    TTLV(.destroyAction, .enumeration(DestroyActionType.keyMaterialDeleted.rawValue)),
                ]))
            case .queryRNGs:
                if let rng = context.services.token.randomNumberGenerator {
                    var p = rng.ttlv
                    p.tag = .rngParameters
                    out.append(p)
                }
            case .queryStorageProtectionMasks:
                if let mask = context.services.token.protectionStorageMask {
                    out.append(TTLV(.protectionStorageMask, .integer(Int32(bitPattern: mask))))
                }
            default:
                continue // Functions we have nothing to report for are answered with nothing (§6.1.37).
            }
        }
        return response(out)
    }
}
