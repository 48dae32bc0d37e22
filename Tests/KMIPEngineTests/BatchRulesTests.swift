import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Message-level rules (KMIP 2.1 §8, 1.4 §6–7): versions, batch count, continuation options, ID
/// Placeholder, Maximum Response Size, and framed errors for unreadable input.
@Suite struct BatchRulesTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func idPlaceholderCarriesThroughABatch() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await engine.execute(Req.message(.v1_4, [Req.createAES(), (.activate, []), (.getAttributes, [TTLV(.attributeName, .textString("State"))])]),
                                     identity: "a", now: now)
        #expect(r.batchItems.map(\.resultStatus) == [.success, .success, .success])
        #expect(r.batchItems[2].payload?.first(.attribute)?.first(.attributeValue)?.enumValue == State.active.rawValue)
        #expect(r.batchItems.map(\.uniqueBatchItemID) == [[0], [1], [2]])
    }

    @Test func stopIsTheDefaultAndContinueGoesOn() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let items = [Req.uid(.get, "missing"), Req.createAES(), Req.uid(.get, "missing")]
        let stop = await engine.execute(Req.message(.v1_4, items), identity: "a", now: now)
        #expect(stop.batchItems.count == 1 && stop.batchItems[0].resultReason == .itemNotFound)
        #expect(stop.header.batchCount == 1)
        let cont = await engine.execute(Req.message(.v1_4, items, continuation: .continue), identity: "a", now: now)
        #expect(cont.batchItems.map(\.resultStatus) == [.operationFailed, .success, .operationFailed])
        let undo = await engine.execute(Req.message(.v1_4, items, continuation: .undo), identity: "a", now: now)
        #expect(undo.batchItems.first?.resultReason == .featureNotSupported)
    }

    @Test func versionNegotiation() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let v3 = await engine.execute(Req.message(ProtocolVersion(3, 0), [(.query, [])]), identity: "a", now: now)
        #expect(v3.header.protocolVersion == .v2_1 && v3.first.resultReason == .unsupportedProtocolVersion)
        let v15 = await engine.execute(Req.message(ProtocolVersion(1, 5), [(.query, [])]), identity: "a", now: now)
        #expect(v15.header.protocolVersion == .v1_4 && v15.first.resultReason == .invalidMessage)
        // Set Attribute is 2.0+: a 1.4 request for it is Operation Not Supported.
        let set = await engine.execute(Req.message(.v1_4, [Req.uid(.setAttribute, "x")]), identity: "a", now: now)
        #expect(set.first.resultReason == .operationNotSupported)
        let dv = await engine.execute(Req.message(.v1_4, [(.discoverVersions, [ProtocolVersion.v1_2.ttlv(), ProtocolVersion(1, 9).ttlv()])]),
                                      identity: "a", now: now)
        #expect(dv.first.payload?.all(.protocolVersion).count == 1)
        let all = await engine.execute(Req.message(.v2_1, [(.discoverVersions, [])]), identity: "a", now: now)
        #expect(all.first.payload?.all(.protocolVersion).count == 7)
    }

    @Test func batchCountMustMatchAndIDsAreNeeded() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        var m = Req.message(.v1_4, [(.query, [])])
        m.header.batchCount = 2
        #expect(await engine.execute(m, identity: "a", now: now).first.resultReason == .invalidMessage)
        var two = Req.message(.v1_4, [(.query, []), (.query, [])])
        two.batchItems[1].uniqueBatchItemID = nil
        #expect(await engine.execute(two, identity: "a", now: now).first.resultReason == .invalidMessage)
    }

    @Test func maximumResponseSize() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        var m = Req.message(.v1_4, [(.query, [TTLV(.queryFunction, .enumeration(QueryFunction.queryOperations.rawValue))])])
        m.header.maximumResponseSize = 64
        #expect(await engine.execute(m, identity: "a", now: now).first.resultReason == .responseTooLarge)
    }

    @Test func unreadableMessagesGetAFramedError() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        for bytes in [[UInt8](), [0x42, 0x00, 0x78, 0x01, 0, 0, 0, 8, 1, 2], Array(repeating: 0xAB, count: 64)] {
            let out = await engine.process(bytes, identity: "a", now: now)
            let response = try ResponseMessage(ttlv: try TTLVDecoder().decode(out))
            #expect(response.first.resultStatus == .operationFailed && response.first.resultReason == .invalidMessage)
        }
        // A readable message with a payload of the wrong type: Invalid Field, not a crash.
        let bad = Req.message(.v1_4, [(.get, [TTLV(.uniqueIdentifier, .integer(5))])])
        #expect(await engine.execute(bad, identity: "a", now: now).first.resultReason == .invalidField)
        let missing = Req.message(.v1_4, [(.create, [])])
        #expect(await engine.execute(missing, identity: "a", now: now).first.resultReason == .invalidField)
    }
}

/// KMIP 2.x Unique Identifiers given as an Enumeration (what an earlier item produced) or an Integer
/// (the nth identifier of the response so far; negative counts back) (2.1 §4.58).
@Suite struct IdentifierReferenceTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func enumerationAndIntegerIdentifiersNameEarlierItems() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let byEnum = TTLV(.uniqueIdentifier, .enumeration(UniqueIdentifierEnumerations.create.rawValue))
        let r = await engine.execute(Req.message(.v2_1, [Req.createAES(name: "ref", .v2_1), (.activate, [byEnum]),
                                                         (.getAttributes, [TTLV(.uniqueIdentifier, .integer(0))]),
                                                         (.get, [TTLV(.uniqueIdentifier, .integer(-1))])]), identity: "a", now: now)
        let uid = try #require(r.batchItems[0].uid)
        #expect(r.batchItems.map(\.resultStatus) == [.success, .success, .success, .success], "\(r.batchItems.map(\.resultMessage))")
        #expect(r.batchItems[1].uid == uid && r.batchItems[2].uid == uid && r.batchItems[3].uid == uid)
        let pair = await engine.execute(Req.message(.v2_1, [
            (.createKeyPair, [.structure(.commonAttributes, [TTLV(.cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.ec.rawValue)),
                                                              TTLV(.cryptographicLength, .integer(256))])]),
            (.get, [TTLV(.uniqueIdentifier, .enumeration(UniqueIdentifierEnumerations.createKeyPairPublicKey.rawValue))])]), identity: "a", now: now)
        #expect(pair.batchItems[1].uid == pair.batchItems[0].payload?.first(.publicKeyUniqueIdentifier)?.text)
        // A reference to nothing is an Invalid Field; 1.x has no such form.
        let none = await engine.execute(Req.message(.v2_1, [(.get, [TTLV(.uniqueIdentifier, .enumeration(UniqueIdentifierEnumerations.register.rawValue))])]),
                                        identity: "a", now: now)
        #expect(none.first.resultReason == .invalidField)
        let far = await engine.execute(Req.message(.v2_1, [(.get, [TTLV(.uniqueIdentifier, .integer(5))])]), identity: "a", now: now)
        #expect(far.first.resultReason == .invalidField)
        let old = await engine.execute(Req.message(.v1_4, [(.get, [TTLV(.uniqueIdentifier, .integer(0))])]), identity: "a", now: now)
        #expect(old.first.resultStatus == .operationFailed)
    }
}

/// Query (KMIP 2.1 §6.1.40) answers from what the server and the token do.
@Suite struct QueryTests {
    @Test func reportsOperationsCapabilitiesAndTheToken() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let functions: [QueryFunction] = [.queryOperations, .queryObjects, .queryServerInformation, .queryCapabilities,
                                          .queryRNGs, .queryStorageProtectionMasks]
        let now = Int64(Date().timeIntervalSince1970)
        let r = await engine.execute(Req.message(.v2_1, [(.query, functions.map { TTLV(.queryFunction, .enumeration($0.rawValue)) })]),
                                     identity: "a", now: now)
        let p = try #require(r.first.payload)
        let ops = p.all(.operation).compactMap(\.enumValue).map(Operation.init(rawValue:))
        #expect(ops.contains(.create) && ops.contains(.setAttribute) && ops.contains(.locate))
        #expect(p.first(.capabilityInformation)?.first(.batchUndoCapability)?.bool == false)
        #expect(p.first(.capabilityInformation)?.first(.batchContinueCapability)?.bool == true)
        #expect(p.first(.rngParameters)?.first(.rngAlgorithm)?.enumValue == RNGAlgorithm.drbg.rawValue)
        #expect(p.first(.protectionStorageMask)?.int32 == Int32(ProtectionStorageMask.software.rawValue))
        // A 1.2 client is not told about operations its version lacks.
        let old = await engine.execute(Req.message(.v1_2, [(.query, [TTLV(.queryFunction, .enumeration(QueryFunction.queryOperations.rawValue))])]),
                                       identity: "a", now: now)
        #expect(old.first.payload?.all(.operation).compactMap(\.enumValue).contains(Operation.setAttribute.rawValue) == false)
    }
}
