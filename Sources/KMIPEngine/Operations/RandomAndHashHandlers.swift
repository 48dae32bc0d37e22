import KMIP

/// RNG Retrieve (KMIP 2.1 §6.1.49): random bytes from the token (C_GenerateRandom).
struct RNGRetrieveHandler: OperationHandler {
    func handle(_ request: RNGRetrieveRequest, _ context: RequestContext) async throws(EngineError) -> DataResponse {
        DataResponse(nil, data: try await context.services.token.random(count: request.dataLength))
    }
}

/// RNG Seed (KMIP 2.1 §6.1.50): C_SeedRandom; answers how many bytes were taken. The server "MAY
/// elect to ignore" the seed, or part of it (policy.rngSeedMaximumBytes in the configuration), or refuse
/// it (policy.acceptRNGSeed). A token whose RNG takes no seed (openCryptoki's soft token reads the
/// kernel's: CKR_RANDOM_SEED_NOT_SUPPORTED) ignores it all: Data Length 0.
struct RNGSeedHandler: OperationHandler {
    func handle(_ request: RNGSeedRequest, _ context: RequestContext) async throws(EngineError) -> RNGSeedResponse {
        let seed = request.data
        guard !seed.isEmpty else { throw EngineError(.invalidField, "Data is required") }
        let defaults = context.services.defaults
        guard defaults.acceptRNGSeed else {
            throw EngineError(.permissionDenied, "this server does not feed client seed material to the token's RNG (policy.acceptRNGSeed)")
        }
        let taken = seed.prefix(max(0, defaults.rngSeedMaximumBytes ?? seed.count))
        let accepted = taken.isEmpty ? 0 : try await context.services.token.seedRandom(Array(taken))
        return RNGSeedResponse(dataLength: accepted)
    }
}

/// Hash (KMIP 2.0+, §6.1.24): C_Digest in the token; streamed, the parts are gathered (the client's
/// data, at most `MessageStreaming.maxBytes`) and hashed at Final.
struct HashHandler: OperationHandler {
    func handle(_ request: HashRequest, _ context: RequestContext) async throws(EngineError) -> DataResponse {
        guard let h = request.cryptographicParameters?.hashing else { throw EngineError(.invalidField, "Hash needs a Hashing Algorithm") }
        var data = request.data
        if request.stream.isStreaming {
            switch try await MessageStreaming.gather(request.stream, data ?? [], subject: "hash:\(h.rawValue)", context) {
            case .more(let correlation): return DataResponse(nil, data: nil, correlationValue: correlation)
            case .whole(let message): data = message
            }
        }
        guard let data else { throw EngineError(.invalidField, "Data is required") }
        return DataResponse(nil, data: try await context.services.token.hash(h, data: data))
    }
}
