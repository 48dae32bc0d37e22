import KMIP

/// Query (KMIP 2.1 §6.1.40): operations, object types, server information.
struct QueryHandler: OperationHandler {
    static let objectTypes: [ObjectType] = [.symmetricKey, .publicKey, .privateKey, .certificate, .secretData, .opaqueObject, .splitKey]

    /// The OASIS server profiles kmipd claims (their test cases run on every CI run): 2.x names, and
    /// for 1.3/1.4 clients the newest "KMIP v1.x" name of each that the client's version has.
    static let profiles2 = ["Baseline Server", "Symmetric Key Lifecycle Server", "Asymmetric Key Lifecycle Server",
                            "Basic Cryptographic Server", "Symmetric Key Foundry Server", "Opaque Managed Object Store Server",
                            "Storage Array with Self Encrypting Drive Server", "Tape Library Server"]
    static let profiles1 = ["Baseline Server TLS v1.2"] + profiles2.dropFirst()

    static func profiles(for version: ProtocolVersion) -> [ProfileName] {
        if version.isV2 { return profiles2.compactMap { ProfileName(named: $0) } }
        // The 1.x names share their values' table with Profile Name Type in the generated tables.
        return profiles1.compactMap { base in
            stride(from: version.minor, through: 0, by: -1).lazy.compactMap { minor in ProfileNameType(named: "\(base) KMIP v1.\(minor)") }
                .first { ($0.since ?? .v1_0) <= version }
        }.map { ProfileName(rawValue: $0.rawValue) }
    }

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
                let node = info.nodeName.map { " node \($0);" } ?? ""
                out.serverInformation = ServerInformation(
                    serverName: "\(info.productName) \(info.productVersion)\(node) \(info.tokenDescription); key pairs: \(kinds); "
                        + "mechanisms: \(context.services.token.abilities)",
                    productName: info.productName, buildLevel: info.productVersion)
            case .queryCapabilities:
                // What this server does: streaming (Encrypt, Decrypt, Sign, Signature Verify, MAC, Hash),
                // batches with Continue (not Undo), no asynchronous operations, no attestation; Destroy
                // deletes the key material and keeps the metadata.
                out.capabilityInformation = CapabilityInformation(streaming: true, asynchronous: false, attestation: false,
                                                                  batchUndo: false, batchContinue: true, destroyAction: .keyMaterialDeleted)
            case .queryRNGs:
                if let rng = context.services.token.randomNumberGenerator { out.rngParameters = [rng.parameters] }
            case .queryProfiles:
                out.profiles = Self.profiles(for: context.version)
            case .queryStorageProtectionMasks:
                if let mask = context.services.token.protectionStorageMask { out.protectionStorageMasks = [mask] }
            default:
                continue // Functions we have nothing to report for are answered with nothing (§6.1.40).
            }
        }
        return out
    }
}
