import Foundation
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// Client groups: certificates that share keys (a cluster's hosts, an array's controllers).
@Suite struct ClientGroupTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func membersShareKeysOthersDoNot() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor {
            $0.groups = [ClientGroup(name: "vsphere", subjectField: "OU", subjectValue: "vsphere-prod"),
                         ClientGroup(name: "array", members: ["CN=ctrl-a,O=Example", "CN=ctrl-b,O=Example"])]
        }
        let esx1 = "CN=esx1,OU=vsphere-prod,O=Example", esx2 = "CN=esx2,OU=vsphere-prod,O=Example"
        let outsider = "CN=esx9,OU=vsphere-test,O=Example"
        let uid = try #require(await engine.execute(Req.message(.v2_1, [Req.createAES(name: "vm-key", .v2_1)]), identity: esx1, now: now).first.uid)
        func get(_ who: String, _ id: String) async -> ResultStatus {
            await engine.execute(Req.message(.v2_1, [Req.uid(.get, id)]), identity: who, now: now).first.resultStatus
        }
        #expect(await get(esx2, uid) == .success)
        #expect(await get(outsider, uid) == .operationFailed)
        let located = await engine.execute(Req.message(.v2_1, [(.locate, [])]), identity: esx2, now: now).first
        #expect(located.payload?.all(.uniqueIdentifier).compactMap(\.text) == [uid])
        #expect(await engine.execute(Req.message(.v2_1, [(.locate, [])]), identity: outsider, now: now).first.payload?.all(.uniqueIdentifier).isEmpty == true)
        // A listed group by exact subjects; an escaped comma is part of a value, not a separator.
        let a = try #require(await engine.execute(Req.message(.v2_1, [Req.createAES(256, .v2_1)]), identity: "CN=ctrl-a,O=Example", now: now).first.uid)
        #expect(await get("CN=ctrl-b,O=Example", a) == .success)
        #expect(await get("CN=ctrl-c,O=Example", a) == .operationFailed)
        #expect(await get("CN=x\\,OU=vsphere-prod,O=Example", uid) == .operationFailed)
    }
}
