import Foundation
import KMIP
import KMIPEngine
import PKCS11

/// A streaming cipher operation holds its own logged-in session (not one of the pool's, which would
/// starve other requests) on its own serial queue, from Init to Final.
final class PKCS11Stream: TokenStream, @unchecked Sendable {
    private let session: Session
    private let queue = DispatchQueue(label: "kmipd.pkcs11.stream")
    private let encrypt: Bool

    init(session: Session, encrypt: Bool) { self.session = session; self.encrypt = encrypt }

    private func run<T: Sendable>(_ body: @escaping @Sendable (Session) throws(PKCS11Error) -> T) async throws(EngineError) -> T {
        let session = self.session
        let result: Result<T, PKCS11Error> = await withCheckedContinuation { cont in
            queue.async {
                do throws(PKCS11Error) { cont.resume(returning: .success(try body(session))) } catch { cont.resume(returning: .failure(error)) }
            }
        }
        do { return try result.get() } catch { throw EngineError(error) }
    }

    func update(_ data: [UInt8]) async throws(EngineError) -> [UInt8] {
        let e = encrypt
        return try await run { (s) throws(PKCS11Error) in try s.cryptUpdate(encrypt: e, data) }
    }
    func finish() async throws(EngineError) -> [UInt8] {
        let e = encrypt
        return try await run { (s) throws(PKCS11Error) in try s.cryptFinal(encrypt: e) }
    }
    func cancel() async {
        // Ending an operation: a final call with no use for its output (the session closes after).
        let e = encrypt
        _ = try? await run { (s) throws(PKCS11Error) in try s.cryptFinal(encrypt: e) }
    }
}

extension PKCS11Token {
    public func beginStream(id: String, cipher: Cipher, encrypt: Bool) async throws(EngineError) -> any TokenStream {
        let key = try handle(id)
        let (m, p) = try Self.plan(cipher)
        do {
            let s = try module.openSession(slot: slot)  // login state is the application's: no C_Login needed
            try s.cryptInit(encrypt: encrypt, mechanism: m, parameter: p, key: key)
            return PKCS11Stream(session: s, encrypt: encrypt)
        } catch { throw EngineError(error) }
    }
}
