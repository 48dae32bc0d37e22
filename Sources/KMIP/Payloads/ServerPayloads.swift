/// Discover Versions (KMIP 2.1 §6.1.16).
public struct DiscoverVersionsRequest: RequestPayload, Hashable {
    public static let operation = Operation.discoverVersions
    public var protocolVersions: [ProtocolVersion]
    public init(protocolVersions: [ProtocolVersion] = []) { self.protocolVersions = protocolVersions }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        protocolVersions = []
        for v in payload.all(.protocolVersion) { protocolVersions.append(try ProtocolVersion(ttlv: v)) }
    }
}

public struct DiscoverVersionsResponse: ResponsePayload, Hashable {
    public var protocolVersions: [ProtocolVersion]
    public init(_ versions: [ProtocolVersion]) { protocolVersions = versions }
    public func payload(version: ProtocolVersion) -> TTLV { .structure(.responsePayload, protocolVersions.map { $0.ttlv() }) }
}

/// Query (KMIP 2.1 §6.1.40).
public struct QueryRequest: RequestPayload, Hashable {
    public static let operation = Operation.query
    public var functions: [QueryFunction]
    public init(functions: [QueryFunction]) { self.functions = functions }
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        functions = []
        for f in payload.all(.queryFunction) {
            guard let v = f.enumValue else { throw KMIPCodecError(.wrongType, "Query Function must be an Enumeration", tag: .queryFunction) }
            functions.append(QueryFunction(rawValue: v))
        }
    }
}

/// Server Information (KMIP 2.1 §2.1.20 in 2.x; a vendor structure in 1.x).
public struct ServerInformation: Sendable, Hashable {
    public var serverName: String
    public var productName: String?
    public var buildLevel: String?
    public init(serverName: String, productName: String? = nil, buildLevel: String? = nil) {
        self.serverName = serverName; self.productName = productName; self.buildLevel = buildLevel
    }
}

/// Capability Information (KMIP 2.1 §2.1.21).
public struct CapabilityInformation: Sendable, Hashable {
    public var streaming: Bool, asynchronous: Bool, attestation: Bool, batchUndo: Bool, batchContinue: Bool
    public var destroyAction: DestroyActionType
    public init(streaming: Bool, asynchronous: Bool, attestation: Bool, batchUndo: Bool, batchContinue: Bool, destroyAction: DestroyActionType) {
        self.streaming = streaming; self.asynchronous = asynchronous; self.attestation = attestation
        self.batchUndo = batchUndo; self.batchContinue = batchContinue; self.destroyAction = destroyAction
    }
}

/// RNG Parameters (KMIP 2.1 §2.1.19) / the Random Number Generator attribute (§4.48).
public struct RNGParameters: Sendable, Hashable {
    public var algorithm: RNGAlgorithm
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    public var cryptographicLength: Int?
    public var hashingAlgorithm: HashingAlgorithm?
    public var drbgAlgorithm: DRBGAlgorithm?
    public init(algorithm: RNGAlgorithm, cryptographicAlgorithm: CryptographicAlgorithm? = nil, cryptographicLength: Int? = nil,
                hashingAlgorithm: HashingAlgorithm? = nil, drbgAlgorithm: DRBGAlgorithm? = nil) {
        self.algorithm = algorithm; self.cryptographicAlgorithm = cryptographicAlgorithm; self.cryptographicLength = cryptographicLength
        self.hashingAlgorithm = hashingAlgorithm; self.drbgAlgorithm = drbgAlgorithm
    }
    public func ttlv(_ tag: Tag) -> TTLV {
        var b = PayloadBuilder()
        b.add(.rngAlgorithm, algorithm)
        b.add(.cryptographicAlgorithm, cryptographicAlgorithm)
        b.add(.cryptographicLength, int: cryptographicLength)
        b.add(.hashingAlgorithm, hashingAlgorithm)
        b.add(.drbgAlgorithm, drbgAlgorithm)
        return b.structure(tag)
    }
}

public struct QueryResponse: ResponsePayload, Hashable {
    public var operations: [Operation] = []
    public var objectTypes: [ObjectType] = []
    public var vendorIdentification: String?
    public var serverInformation: ServerInformation?
    public var capabilityInformation: CapabilityInformation?
    public var rngParameters: [RNGParameters] = []
    /// Profile Information (KMIP 2.1 §7.31): the profiles this server claims, by name.
    public var profiles: [ProfileName] = []
    public var protectionStorageMasks: [UInt32] = []
    public init() {}

    /// In the order of the response payload table (KMIP 2.1 §6.1.40), whatever order the functions
    /// were asked in.
    public func payload(version: ProtocolVersion) -> TTLV {
        var b = PayloadBuilder()
        for op in operations { b.add(.operation, op) }
        for t in objectTypes { b.add(.objectType, t) }
        b.add(.vendorIdentification, text: vendorIdentification)
        if let s = serverInformation {
            var f = PayloadBuilder()
            if version.isV2 {
                f.add(.productName, text: s.productName)
                f.add(.buildLevel, text: s.buildLevel)
            }
            f.add(.serverName, text: s.serverName)
            b.add(f.structure(.serverInformation))
        }
        for r in rngParameters { b.add(r.ttlv(.rngParameters)) }
        for p in profiles { b.add(.structure(.profileInformation, [TTLV(.profileName, .enumeration(p.rawValue))])) }
        if let c = capabilityInformation {
            var f = PayloadBuilder()
            f.add(.streamingCapability, bool: c.streaming)
            f.add(.asynchronousCapability, bool: c.asynchronous)
            f.add(.attestationCapability, bool: c.attestation)
            f.add(.batchUndoCapability, bool: c.batchUndo)
            f.add(.batchContinueCapability, bool: c.batchContinue)
            f.add(.destroyAction, c.destroyAction)
            b.add(f.structure(.capabilityInformation))
        }
        for m in protectionStorageMasks { b.add(TTLV(.protectionStorageMask, .integer(Int32(bitPattern: m)))) }
        return b.payload
    }
}

/// Interop (KMIP 2.1 §6.1.26): the OASIS test harness's bracket.
public struct InteropRequest: RequestPayload, Hashable {
    public static let operation = Operation.interop
    public var function: InteropFunction
    public var identifier: String?
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        function = try payload.required(.interopFunction, InteropFunction.self)
        identifier = try payload.optionalText(.interopIdentifier)
    }
}

/// Ping (KMIP 2.1 §6.1.36): an empty request, an empty answer — a client's liveness check.
public struct PingRequest: RequestPayload, Hashable {
    public static let operation = Operation.ping
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {}
}

/// Log (KMIP 2.0+, §6.1.29).
public struct LogRequest: RequestPayload, Hashable {
    public static let operation = Operation.log
    public var message: String
    public init(payload: TTLV, version: ProtocolVersion) throws(KMIPCodecError) {
        message = try payload.requiredText(.logMessage)
    }
}
