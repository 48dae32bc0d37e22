import KMIP

/// RNG Retrieve (KMIP 2.1 §6.1.38): random bytes from the token (C_GenerateRandom).
struct RNGRetrieveHandler: OperationHandler {
    static let operation = Operation.rngRetrieve
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let length: Int32
        do { length = try payload.requiredInt(.dataLength) } catch { throw EngineError(error) }
        guard (1...65536).contains(length) else { throw EngineError(.invalidField, "Data Length must be 1 to 65536") }
        return response([TTLV(.data, .byteString(try await context.services.token.random(count: Int(length))))])
    }
}

/// RNG Seed (KMIP 2.1 §6.1.39): C_SeedRandom; answers how many bytes were taken.
struct RNGSeedHandler: OperationHandler {
    static let operation = Operation.rngSeed
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        guard let seed = payload.first(.data)?.bytes, !seed.isEmpty else { throw EngineError(.invalidField, "Data is required") }
        guard context.services.policy.acceptRNGSeed else {
            throw EngineError(.permissionDenied, "this server does not feed client seed material to the token's RNG (policy.acceptRNGSeed)")
        }
        try await context.services.token.seedRandom(seed)
        return response([TTLV(.dataLength, .integer(Int32(seed.count)))])
    }
}

/// Hash (KMIP 2.0+, §6.1.23): C_Digest in the token.
struct HashHandler: OperationHandler {
    static let operation = Operation.hash
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let params = try CryptoParameters(payload.first(.cryptographicParameters))
        guard let h = params.hashing else { throw EngineError(.invalidField, "Hash needs a Hashing Algorithm") }
        guard let data = payload.first(.data)?.bytes else { throw EngineError(.invalidField, "Data is required") }
        return response([TTLV(.data, .byteString(try await context.services.token.hash(h, data: data)))])
    }
}
