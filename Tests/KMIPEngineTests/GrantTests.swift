import Foundation
import KMIP
import KMIPEngine
import KMIPFiles
import KMIPTestSupport
import Testing

/// Grants: the owner lets another identity use an object in named operations through the
/// vendor attribute x-kmipd-grant; everything not granted still looks like Item Not Found, and only
/// the owner or an admin may change grants.
@Suite struct GrantTests {
    let now = Int64(Date().timeIntervalSince1970)

    func run(_ engine: BatchExecutor, _ who: String, _ item: (KMIP.Operation, [TTLV]), in version: ProtocolVersion = .v2_1) async -> ResponseBatchItem {
        await engine.execute(Req.message(version, [item]), identity: who, now: now).first
    }
    func grant(_ engine: BatchExecutor, _ who: String, _ uid: String, _ value: String) async -> ResponseBatchItem {
        await run(engine, who, Req.uid(.addAttribute, uid, [Req.attr(Grant.attributeName, .textString(value)).v1]), in: .v1_4)
    }

    @Test func grantedOperationsOnlyAndOnlyTheOwnerGrants() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor(admins: ["CN=admin"])
        let created = await run(engine, "CN=alice", Req.createAES(name: "shared-key", extra: [Req.attr("Activation Date", .dateTime(now - 60))], .v2_1))
        let uid = try #require(created.uid)
        var checked = 0
        func expectHidden(_ op: KMIP.Operation, _ who: String, _ more: [TTLV] = [], _ note: String) async {
            let r = await run(engine, who, Req.uid(op, uid, more))
            #expect(r.resultReason == .objectNotFound, "\(note): \(op) by \(who) gave \(r.resultStatus) \(r.resultMessage ?? "")")
            checked += 1
        }
        let data: [TTLV] = [.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))]),
                            TTLV(.data, .byteString([UInt8](repeating: 1, count: 16)))]
        // Before any grant, bob sees nothing.
        await expectHidden(.get, "CN=bob", [], "no grant")
        await expectHidden(.encrypt, "CN=bob", data, "no grant")

        // A malformed grant is refused; a grantee cannot grant.
        #expect(await grant(engine, "CN=alice", uid, "CN=bob").resultReason == .invalidField)
        #expect(await grant(engine, "CN=alice", uid, "CN=bob|Get,Frobnicate").resultReason == .invalidField)
        #expect(await grant(engine, "CN=alice", uid, "CN=bob|Encrypt, Get Attributes,Locate").resultStatus == .success)
        #expect(await grant(engine, "CN=bob", uid, "CN=bob|*").resultReason == .itemNotFound, "a grantee cannot widen its grant")
        checked += 1

        // Bob may do what was granted …
        #expect(await run(engine, "CN=bob", Req.uid(.encrypt, uid, data)).resultStatus == .success)
        #expect(await run(engine, "CN=bob", Req.uid(.getAttributes, uid)).resultStatus == .success)
        let located = await run(engine, "CN=bob", (.locate, Req.attributes([Req.name("shared-key")], .v2_1)))
        #expect(located.payload?.all(.uniqueIdentifier).compactMap(\.text) == [uid], "granted Locate finds it")
        // … and nothing else; carol nothing at all.
        await expectHidden(.get, "CN=bob", [], "not granted")
        await expectHidden(.destroy, "CN=bob", [], "not granted")
        await expectHidden(.revoke, "CN=bob", [.structure(.revocationReason, [TTLV(.revocationReasonCode, .enumeration(1))])], "not granted")
        await expectHidden(.deleteAttribute, "CN=bob", [TTLV(.attributeReference, .textString(Grant.attributeName))], "grants are the owner's")
        await expectHidden(.encrypt, "CN=carol", data, "granted to bob only")
        let carolLocate = await run(engine, "CN=carol", (.locate, Req.attributes([Req.name("shared-key")], .v2_1)))
        #expect(carolLocate.payload?.all(.uniqueIdentifier).isEmpty != false)
        checked += 1

        // The grant is stored in canonical form and listed like any attribute.
        let attrs = await run(engine, "CN=alice", Req.uid(.getAttributes, uid, [TTLV(.attributeName, .textString(Grant.attributeName))]), in: .v1_4)
        #expect(attrs.payload?.first(.attribute)?.first(.attributeValue)?.text == "CN=bob|Encrypt,Get Attributes,Locate")

        // 2.x Modify names the grant by its value, whatever the order of its operations.
        let current = Req.attr(Grant.attributeName, .textString("CN=bob|Locate,Get Attributes,Encrypt")).v2
        let replacement = Req.attr(Grant.attributeName, .textString("CN=bob|Locate,Encrypt,Get Attributes")).v2
        let modified = await run(engine, "CN=alice", Req.uid(.modifyAttribute, uid, [.structure(.currentAttribute, [current]),
                                                                                      .structure(.newAttribute, [replacement])]))
        #expect(modified.resultStatus == .success, "Modify by a non-canonical Current Attribute: \(modified.resultMessage ?? "")")
        checked += 1

        // A grant to everyone; then the owner takes grants back and bob sees nothing again.
        #expect(await grant(engine, "CN=alice", uid, "*|Get").resultStatus == .success)
        #expect(await run(engine, "CN=carol", Req.uid(.get, uid)).resultStatus == .success)
        for _ in 0..<2 {
            let d = await run(engine, "CN=admin", Req.uid(.deleteAttribute, uid, [TTLV(.attributeName, .textString(Grant.attributeName))]), in: .v1_4)
            #expect(d.resultStatus == .success, "\(d.resultMessage ?? "")")
        }
        await expectHidden(.encrypt, "CN=bob", data, "grant taken back")
        await expectHidden(.get, "CN=carol", [], "grant taken back")
        print("isolation: grants: \(checked) refusals and cases checked, every refusal Object Not Found / Item Not Found")
    }
}

/// KMIP Username and Password credentials combined with the certificate.
@Suite struct CredentialTests {
    let now = Int64(Date().timeIntervalSince1970)

    func request(_ credential: UsernamePassword?) -> RequestMessage {
        var m = Req.message(.v1_4, [Req.createAES(name: "cred-\(UUID().uuidString.prefix(6))")])
        m.header.authentication = credential?.authentication
        return m
    }

    @Test func credentialsAreCheckedAndBecomeTheIdentity() async throws {
        // Cheap scrypt parameters for the test; the default is N = 2^15.
        let alice = try PasswordFile.makeEntry(password: "correct horse", n: 1 << 10)
        let bound = try PasswordFile.makeEntry(password: "s3cret", n: 1 << 10)
        let passwords = PasswordFile(users: ["alice": .init(scrypt: alice), "svc": .init(scrypt: bound, clients: ["CN=app1"])])
        let (engine, _, _) = try TestHSM.makeExecutor { $0.passwords = passwords }

        let ok = await engine.execute(request(UsernamePassword(username: "alice", password: "correct horse")), identity: "CN=app1", now: now)
        let uid = try #require(ok.first.uid)
        // The object belongs to user:alice, whichever certificate she came through.
        let viaOther = await engine.execute(Req.message(.v1_4, [Req.uid(.getAttributes, uid)]).with(UsernamePassword(username: "alice", password: "correct horse")),
                                            identity: "CN=app2", now: now)
        #expect(viaOther.first.resultStatus == .success)
        let certOnly = await engine.execute(Req.message(.v1_4, [Req.uid(.getAttributes, uid)]), identity: "CN=app1", now: now)
        #expect(certOnly.first.resultReason == .itemNotFound, "the certificate alone is another identity")

        var refused = 0
        for (credential, cert, why) in [(UsernamePassword(username: "alice", password: "wrong"), "CN=app1", "wrong password"),
                                        (UsernamePassword(username: "mallory", password: "x"), "CN=app1", "unknown user"),
                                        (UsernamePassword(username: "svc", password: "s3cret"), "CN=app2", "certificate not allowed for svc")] {
            let r = await engine.execute(request(credential), identity: cert, now: now)
            #expect(r.first.resultReason == .authenticationNotSuccessful, "\(why)")
            refused += 1
        }
        #expect(await engine.execute(request(UsernamePassword(username: "svc", password: "s3cret")), identity: "CN=app1", now: now).first.resultStatus == .success)

        // Required credentials: a certificate alone is refused.
        let (strict, _, _) = try TestHSM.makeExecutor { $0.passwords = passwords; $0.requireCredential = true }
        #expect(await strict.execute(request(nil), identity: "CN=app1", now: now).first.resultReason == .authenticationNotSuccessful)
        refused += 1
        print("isolation: credentials: \(refused) bad or missing credentials refused with Authentication Not Successful")
        // An empty credential (what some client libraries always send) is no credential; required, it is refused.
        let empty = UsernamePassword(username: "", password: "")
        #expect(await engine.execute(request(empty), identity: "CN=app1", now: now).first.resultStatus == .success)
        #expect(await strict.execute(request(empty), identity: "CN=app1", now: now).first.resultReason == .authenticationNotSuccessful)
    }

    /// Without a password file there is nothing to check a credential against: the certificate decides.
    @Test func withoutAPasswordFileACredentialIsIgnored() async throws {
        let (engine, _, _) = try TestHSM.makeExecutor()
        let r = await engine.execute(request(UsernamePassword(username: "admin", password: "whatever")), identity: "CN=app1", now: now)
        let uid = try #require(r.first.uid, "\(r.first.resultMessage ?? "")")
        let mine = await engine.execute(Req.message(.v1_4, [Req.uid(.getAttributes, uid)]), identity: "CN=app1", now: now)
        #expect(mine.first.resultStatus == .success, "the object belongs to the certificate's identity, not to 'admin'")
    }
}

extension RequestMessage {
    func with(_ credential: UsernamePassword) -> RequestMessage {
        var m = self
        m.header.authentication = credential.authentication
        return m
    }
}
