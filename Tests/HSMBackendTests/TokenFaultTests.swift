import Foundation
import NIOPosix
import HSMBackend
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Token faults injected by our PKCS#11 shim in front of SoftHSM2 (Tests/FaultShim):
/// device errors, lost sessions, a removed token and slow calls. The server answers with the KMIP
/// error the batch boundary chooses (General Failure, the CK_RV named in the message), loses nothing,
/// keeps serving what does not need the token, and recovers by itself when the token is back.
@Suite(.serialized) struct TokenFaultTests {
    let now = Int64(Date().timeIntervalSince1970)

    /// The rule file the shim reads (one per process: only this suite loads the shim).
    static let ruleFile: String = {
        let path = TestHSM.stateDir + "/faults.txt"
        FileManager.default.createFile(atPath: path, contents: Data())
        setenv("KMIPD_FAULT_FILE", path, 1)
        if let real = try? TestHSM.profile(label: "x").modulePath() { setenv("KMIPD_FAULT_TARGET", real, 1) }
        return path
    }()

    /// Replaces the rules at once (rename), so the shim never reads half a file.
    static func inject(_ rules: String) throws {
        let tmp = ruleFile + ".new"
        try rules.write(toFile: tmp, atomically: false, encoding: .utf8)
        #expect(rename(tmp, ruleFile) == 0)
    }

    /// Faults the shim has injected so far in this process.
    static func injected(_ shim: String) -> UInt {
        guard let h = dlopen(shim, RTLD_NOW), let f = dlsym(h, "kmipd_fault_injected") else { return 0 }
        return unsafeBitCast(f, to: (@convention(c) () -> UInt).self)()
    }

    struct Harness {
        let engine: BatchExecutor
        let token: PKCS11Token
        let shim: String
        let now: Int64
        func run(_ items: [(KMIP.Operation, [TTLV])]) async -> ResponseBatchItem {
            await engine.execute(Req.message(.v2_1, items), identity: "alice", now: now).first
        }
        /// An active AES key (Activation Date now), so it can encrypt at once.
        func create(_ name: String) async -> ResponseBatchItem {
            await run([Req.createAES(256, name: name, extra: [Req.attr("Activation Date", .dateTime(now - 60))], .v2_1)])
        }
        func encrypt(_ uid: String) async -> ResponseBatchItem {
            await run([Req.uid(.encrypt, uid, [.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))]),
                                                TTLV(.data, .byteString([UInt8](repeating: 7, count: 16)))])])
        }
        func locate(_ name: String) async -> [String] {
            let r = await run([(.locate, Req.attributes([Req.name(name)], .v2_1))])
            return r.payload?.all(.uniqueIdentifier).compactMap(\.text) ?? []
        }
    }

    func harness() throws -> Harness {
        let shim = try #require(TestHSM.faultShimPath, "libPKCS11FaultShim.so is built with the tests (swift build --build-tests)")
        _ = Self.ruleFile
        try Self.inject("")
        let token = try TestHSM.makeToken(through: shim)
        let (engine, _, _) = try TestHSM.makeExecutor(token: token)
        return Harness(engine: engine, token: token, shim: shim, now: now)
    }

    static func isTokenFailure(_ r: ResponseBatchItem, _ rv: String) -> Bool {
        r.resultStatus == .operationFailed && r.resultReason == .generalFailure && (r.resultMessage ?? "").contains(rv)
    }

    @Test func deviceErrorsAreGeneralFailuresAndLeaveNothingBehind() async throws {
        let h = try harness()
        let uid = try #require(await h.create("faults-a").uid)
        let before = Self.injected(h.shim)
        try Self.inject("C_Encrypt CKR_DEVICE_ERROR 1\n")
        #expect(Self.isTokenFailure(await h.encrypt(uid), "CKR_DEVICE_ERROR"))
        #expect(await h.encrypt(uid).resultStatus == .success, "the next call goes through")

        let objects = h.token.objectCount
        try Self.inject("C_GenerateKey CKR_DEVICE_ERROR 1\n")
        #expect(Self.isTokenFailure(await h.create("faults-lost"), "CKR_DEVICE_ERROR"))
        #expect(await h.locate("faults-lost").isEmpty, "no row for a key the token did not make")
        #expect(h.token.objectCount == objects)
        #expect(await h.create("faults-b").resultStatus == .success)
        let n = Self.injected(h.shim) - before
        #expect(n == 2)
        print("token faults: device errors: \(n) injected, \(n) answered General Failure naming CKR_DEVICE_ERROR, 0 objects left behind")
    }

    /// A full token (openCryptoki's soft token answers CKR_HOST_MEMORY once it holds 2,048 objects):
    /// Create and Register are refused saying so, nothing is left behind, and the rest goes on.
    @Test func aFullTokenIsNamedAsSuch() async throws {
        let h = try harness()
        let uid = try #require(await h.create("full-a").uid)
        try Self.inject("C_GenerateKey CKR_HOST_MEMORY 1\n")
        let refused = await h.create("full-b")
        #expect(Self.isTokenFailure(refused, "CKR_HOST_MEMORY") && refused.resultMessage?.contains("no room for another object") == true,
                "\(refused.resultMessage ?? "")")
        #expect(await h.locate("full-b").isEmpty)
        #expect(await h.encrypt(uid).resultStatus == .success)
    }

    @Test func lostSessionsAreReopenedAndTheWorkRetried() async throws {
        let h = try harness()
        let uid = try #require(await h.create("sessions-a").uid)
        let before = Self.injected(h.shim)
        try Self.inject("C_EncryptInit CKR_SESSION_HANDLE_INVALID 1\nC_GenerateKey CKR_SESSION_HANDLE_INVALID 1\n")
        #expect(await h.encrypt(uid).resultStatus == .success)
        let created = await h.create("sessions-b")
        #expect(created.resultStatus == .success, "\(created.resultMessage ?? "")")
        #expect(await h.locate("sessions-b").count == 1, "one key, not two, after the retry")
        let n = Self.injected(h.shim) - before
        #expect(n == 2)
        print("token faults: lost sessions: \(n) injected, \(n) requests answered after a new session and login")
    }

    @Test func aRemovedTokenFailsCleanlyAndIsUsedAgainWhenBack() async throws {
        let h = try harness()
        let uid = try #require(await h.create("removed-a").uid)
        let before = Self.injected(h.shim)
        try Self.inject("removed\n")
        #expect(await h.encrypt(uid).resultReason == .generalFailure)
        let create = await h.create("removed-b")
        #expect(create.resultReason == .generalFailure)
        #expect(await h.locate("removed-b").isEmpty)
        // What needs only the store is still served.
        #expect(await h.locate("removed-a") == [uid])
        #expect(await h.run([Req.uid(.getAttributes, uid)]).resultStatus == .success)
        let failedWhileGone = Self.injected(h.shim) - before

        try Self.inject("")
        // The first request after the return begins a stream: its own session must be logged in and
        // its key handle current, though no pool session has noticed the return yet.
        let stream = await h.run([Req.uid(.encrypt, uid, [.structure(.cryptographicParameters, [TTLV(.blockCipherMode, .enumeration(BlockCipherMode.ecb.rawValue))]),
                                                          TTLV(.initIndicator, .boolean(true)), TTLV(.data, .byteString([UInt8](repeating: 7, count: 16)))])])
        #expect(stream.resultStatus == .success && stream.payload?.first(.correlationValue) != nil,
                "a stream begun first after the return: \(stream.resultMessage ?? "")")
        let back = await h.encrypt(uid)
        #expect(back.resultStatus == .success, "sessions reopened, logged in, handles read again: \(back.resultMessage ?? "")")
        #expect(await h.create("removed-c").resultStatus == .success)
        #expect(await h.run([Req.uid(.get, uid)]).resultStatus == .success)
        print("token faults: removed token: \(failedWhileGone) calls refused while gone, store-only requests served, first request after return (a stream) succeeded")
    }

    @Test func aSlowTokenDoesNotHoldUpOtherRequests() async throws {
        let h = try harness()
        let uid = try #require(await h.create("slow-a").uid)
        try Self.inject("C_GenerateKey delay 3000\n")
        let finished = Finished()
        let slow = Task {
            let r = await h.create("slow-b")
            await finished.set()
            return r
        }
        try await Task.sleep(for: .milliseconds(200))
        // A store-only request and a token call on the pool's other session, both during the slow call.
        #expect(await h.locate("slow-a") == [uid])
        #expect(await h.encrypt(uid).resultStatus == .success)
        let overtaken = await !finished.value
        #expect(overtaken, "served while the slow C_GenerateKey was still running")
        #expect(await slow.value.resultStatus == .success)
        try Self.inject("")
        print("token faults: slow token: 2 requests served during a 3 s C_GenerateKey, which then succeeded")
    }

    /// The server's TLS key is in the token: while a handshake waits for a slow C_Sign, the event loop
    /// it runs on goes on serving the other connections (the handshake waits in an OpenSSL ASYNC job).
    @Test func aSlowHandshakeSignatureDoesNotHoldUpItsEventLoop() async throws {
        let shim = try #require(TestHSM.faultShimPath, "libPKCS11FaultShim.so is built with the tests (swift build --build-tests)")
        _ = Self.ruleFile
        try Self.inject("")
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)  // every connection on one event loop
        let server = try await TestServer.start(serverKeyInToken: true, token: try TestHSM.makeToken(through: shim), group: loop)
        let established = try await server.client(.v2_1)
        _ = try await established.call(.discoverVersions, [])
        try Self.inject("C_Sign delay 2000\n")
        let finished = Finished()
        let slow = Task {
            let c = try await server.client(.v2_1)
            _ = try await c.call(.discoverVersions, [])  // its handshake signs in the token: 2 s
            await finished.set()
            return c
        }
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let took = try await clock.measure { _ = try await established.call(.discoverVersions, []) }
        let overtaken = await !finished.value
        try Self.inject("")
        let other = try await slow.value
        // Everything on this group is closed before it goes: TLS torn down after OpenSSL's exit
        // handlers crashes the test process.
        await established.connection.close()
        await other.connection.close()
        await server.stopAndWait()
        try await loop.shutdownGracefully()
        #expect(overtaken && took < .milliseconds(1000), "a request on the same event loop waited \(took) behind the handshake")
        print("token faults: slow TLS signature: a request on the same event loop answered in \(took) during a 2 s C_Sign")
    }
}

actor Finished {
    var value = false
    func set() { value = true }
}
