import CPKCS11
import Foundation
import KMIP
import KMIPEngine
import PKCS11

/// A streaming cipher operation holds its own logged-in session (not one of the pool's, which would
/// starve other requests) on its own serial queue, from Init to Final.
final class PKCS11Stream: TokenStream, @unchecked Sendable {
    private let session: Session
    private let queue: DispatchQueue
    private let encrypt: Bool

    init(session: Session, queue: DispatchQueue, encrypt: Bool) { self.session = session; self.queue = queue; self.encrypt = encrypt }

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
    /// The key's handle is read through a pool session first (a token that lost its sessions is noticed
    /// there: sessions reopened, logged in, handles read again); then the stream's own session is opened
    /// and logged in on the stream's thread, never on the cooperative pool.
    public func beginStream(id: String, cipher: Cipher, encrypt: Bool) async throws(EngineError) -> any TokenStream {
        let m = try mechanisms.require(Self.plan(cipher))
        let key = try await call(objects: id) { (s, h) throws(PKCS11Error) -> ObjectHandle in
            _ = try s.attribute(UInt(CKA_CLASS), of: h[0])
            return h[0]
        }
        let queue = DispatchQueue(label: "kmipd.pkcs11.stream")
        let pool = self.pool
        let opened: Result<Session, PKCS11Error> = await withCheckedContinuation { cont in
            queue.async {
                do throws(PKCS11Error) {
                    let s = try pool.openExtra()
                    try s.cryptInit(encrypt: encrypt, m, key: key)
                    cont.resume(returning: .success(s))
                } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        do { return PKCS11Stream(session: try opened.get(), queue: queue, encrypt: encrypt) } catch { throw EngineError(error) }
    }
}
