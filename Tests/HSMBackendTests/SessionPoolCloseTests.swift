import Foundation
@testable import HSMBackend
import KMIPEngine
import KMIPTestSupport
import PKCS11
import Synchronization
import Testing

/// Closing the session pool before exit: work in flight finishes first, later work is refused without
/// touching the module (kmipd crashed at exit when a session closed while SoftHSM2 tore itself down).
@Suite struct SessionPoolCloseTests {
    @Test func closeWaitsForWorkInFlightThenRefuses() async throws {
        let token = try TestHSM.makeToken()
        let finished = Atomic<Bool>(false)
        async let slow: [UInt8] = token.call { (s) throws(PKCS11Error) in
            Thread.sleep(forTimeInterval: 0.3)
            defer { finished.store(true, ordering: .releasing) }
            return try s.generateRandom(8)
        }
        try await Task.sleep(for: .milliseconds(50))
        await token.pool.close()
        let done = finished.load(ordering: .acquiring)
        #expect(done, "close returned before the work in flight")
        #expect(try await slow.count == 8)
        await #expect(throws: EngineError.self) { _ = try await token.random(count: 8) }
    }
}
