import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Query (KMIP 2.1 §6.1.40) tells the truth about streaming and profiles; Ping (2.1 §6.1.36) answers.
@Suite struct QueryProfileTests {
    let now = Int64(Date().timeIntervalSince1970)

    func query(_ engine: BatchExecutor, _ version: ProtocolVersion, _ functions: [QueryFunction]) async -> TTLV? {
        await engine.execute(Req.message(version, [(.query, functions.map { TTLV(.queryFunction, .enumeration($0.rawValue)) })]),
                             identity: "a", now: now).first.payload
    }

    @Test func capabilitiesSayStreamingWorks() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let p = await query(engine, .v2_1, [.queryCapabilities])
        #expect(p?.first(.capabilityInformation)?.first(.streamingCapability)?.bool == true)
        #expect(p?.first(.capabilityInformation)?.first(.batchUndoCapability)?.bool == false)
    }

    @Test(arguments: [ProtocolVersion.v1_3, .v1_4, .v2_0, .v2_1])
    func profilesInTheClientsVersion(version: ProtocolVersion) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let p = await query(engine, version, [.queryProfiles])
        let names = (p?.all(.profileInformation) ?? []).compactMap { $0.first(.profileName)?.enumValue.map(ProfileName.init(rawValue:)) }
        #expect(names.count == 8, "\(names)")
        let known = names.map { version.isV2 ? ($0.since, $0.name) : (ProfileNameType(rawValue: $0.rawValue).since, ProfileNameType(rawValue: $0.rawValue).name) }
        #expect(known.allSatisfy { $0.0 != nil && $0.0! <= version }, "\(known)")
        #expect(known.contains { $0.1.hasPrefix("Symmetric Key Lifecycle Server") })
    }

    @Test func pingIsA21Operation() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let ok = await engine.execute(Req.message(.v2_1, [(.ping, [])]), identity: "a", now: now).first
        #expect(ok.resultStatus == .success)
        let old = await engine.execute(Req.message(.v2_0, [(.ping, [])]), identity: "a", now: now).first
        #expect(old.resultReason == .operationNotSupported)
    }
}
