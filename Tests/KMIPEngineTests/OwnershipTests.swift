import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// An object belongs to the identity that created it; others get Item Not Found and never see it in
/// Locate; admins see all.
@Suite struct OwnershipTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func othersCannotSeeOrTouch() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(admins: ["CN=admin"])
        let created = await engine.execute(Req.message(.v1_4, [Req.createAES(name: "alice-key")]), identity: "CN=alice", now: now)
        let uid = try #require(created.first.uid)
        for op: KMIP.Operation in [.get, .getAttributes, .activate, .destroy, .getAttributeList, .check] {
            let r = await engine.execute(Req.message(.v1_4, [Req.uid(op, uid)]), identity: "CN=bob", now: now)
            #expect(r.first.resultReason == .itemNotFound, "\(op)")
        }
        let bobLocate = await engine.execute(Req.message(.v1_4, [(.locate, [Req.name("alice-key").v1])]), identity: "CN=bob", now: now)
        #expect(bobLocate.first.payload?.all(.uniqueIdentifier).isEmpty == true)
        let adminLocate = await engine.execute(Req.message(.v1_4, [(.locate, [Req.name("alice-key").v1])]), identity: "CN=admin", now: now)
        #expect(adminLocate.first.payload?.all(.uniqueIdentifier).compactMap(\.text) == [uid])
        let adminGet = await engine.execute(Req.message(.v1_4, [Req.uid(.get, uid)]), identity: "CN=admin", now: now)
        #expect(adminGet.first.resultStatus == .success)
    }
}
