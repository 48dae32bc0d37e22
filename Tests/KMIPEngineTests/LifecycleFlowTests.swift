import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Create ─► Locate ─► Get ─► Activate ─► Revoke ─► Destroy against a real SoftHSM2 token and SQLite.
@Suite struct LifecycleFlowTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test(arguments: [ProtocolVersion.v1_2, .v1_4, .v2_0, .v2_1])
    func symmetricKeyLifecycle(version: ProtocolVersion) async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let name = "flow-\(version)"
        let created = await engine.execute(Req.message(version, [Req.createAES(name: name, version)]), identity: "alice", now: now)
        #expect(created.first.resultStatus == .success, "\(created.first.resultMessage ?? "")")
        let uid = try #require(created.first.uid)

        let locate = await engine.execute(Req.message(version, [(.locate, Req.attributes([Req.name(name)], version))]), identity: "alice", now: now)
        #expect(locate.first.payload?.all(.uniqueIdentifier).compactMap(\.text) == [uid])

        let got = await engine.execute(Req.message(version, [Req.uid(.get, uid)]), identity: "alice", now: now)
        let material = got.first.payload?.first(.symmetricKey)?.first(.keyBlock)?.first(.keyValue)?.first(.keyMaterial)?.bytes
        #expect(material?.count == 32)

        let state = { () async -> UInt32? in
            let r = await engine.execute(Req.message(version, [Req.uid(.getAttributes, uid, [version.isV2
                ? TTLV(.attributeReference, .enumeration(Tag.state.rawValue)) : TTLV(.attributeName, .textString("State"))])]),
                identity: "alice", now: self.now)
            let p = r.first.payload
            return version.isV2 ? p?.first(.attributes)?.first(.state)?.enumValue : p?.first(.attribute)?.first(.attributeValue)?.enumValue
        }
        #expect(await state() == State.preActive.rawValue)
        #expect(await engine.execute(Req.message(version, [Req.uid(.activate, uid)]), identity: "alice", now: now).first.resultStatus == .success)
        #expect(await state() == State.active.rawValue)

        // Active objects cannot be destroyed: 1.x says Permission Denied, 2.x Wrong Key Lifecycle State.
        let early = await engine.execute(Req.message(version, [Req.uid(.destroy, uid)]), identity: "alice", now: now)
        #expect(early.first.resultReason == (version.isV2 ? .wrongKeyLifecycleState : .permissionDenied))

        let revoke = await engine.execute(Req.message(version, [Req.uid(.revoke, uid, [.structure(.revocationReason, [
            TTLV(.revocationReasonCode, .enumeration(RevocationReasonCode.cessationOfOperation.rawValue))])])]), identity: "alice", now: now)
        #expect(revoke.first.resultStatus == .success)
        #expect(await state() == State.deactivated.rawValue)
        let destroy = await engine.execute(Req.message(version, [Req.uid(.destroy, uid)]), identity: "alice", now: now)
        #expect(destroy.first.resultStatus == .success, "\(destroy.first.resultMessage ?? "")")
        #expect(await state() == State.destroyed.rawValue)
        let after = await engine.execute(Req.message(version, [Req.uid(.get, uid)]), identity: "alice", now: now)
        #expect(after.first.resultStatus == .operationFailed)
    }
}
