import KMIP

/// RNG Retrieve (KMIP 2.1 §6.1.49): random bytes from the token (C_GenerateRandom).
struct RNGRetrieveHandler: OperationHandler {
    static let operation = Operation.rngRetrieve
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let length: Int32
        do { length = try payload.requiredInt(.dataLength) } catch { throw EngineError(error) }
        guard (1...65536).contains(length) else { throw EngineError(.invalidField, "Data Length must be 1 to 65536") }
        return response([TTLV(.data, .byteString(try await context.services.token.random(count: Int(length))))])
    }
}

/// RNG Seed (KMIP 2.1 §6.1.50): C_SeedRandom; answers how many bytes were taken. The server "MAY
/// elect to ignore" the seed, or part of it (policy.rngSeedMaximumBytes), or refuse it (policy.acceptRNGSeed).
struct RNGSeedHandler: OperationHandler {
    static let operation = Operation.rngSeed
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        guard let seed = payload.first(.data)?.bytes, !seed.isEmpty else { throw EngineError(.invalidField, "Data is required") }
        let policy = context.services.policy
        guard policy.acceptRNGSeed else {
            throw EngineError(.permissionDenied, "this server does not feed client seed material to the token's RNG (policy.acceptRNGSeed)")
        }
        let taken = seed.prefix(max(0, policy.rngSeedMaximumBytes ?? seed.count))
        if !taken.isEmpty { try await context.services.token.seedRandom(Array(taken)) }
        return response([TTLV(.dataLength, .integer(Int32(taken.count)))])
    }
}

/// Hash (KMIP 2.1 §6.1.24): C_Digest in the token.
struct HashHandler: OperationHandler {
    static let operation = Operation.hash
    func handle(_ payload: TTLV, _ context: RequestContext) async throws(EngineError) -> TTLV {
        let params = try CryptoParameters(payload.first(.cryptographicParameters))
        guard let h = params.hashing else { throw EngineError(.invalidField, "Hash needs a Hashing Algorithm") }
        guard let data = payload.first(.data)?.bytes else { throw EngineError(.invalidField, "Data is required") }
        return response([TTLV(.data, .byteString(try await context.services.token.hash(h, data: data)))])
    }
}
