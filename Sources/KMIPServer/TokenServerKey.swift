import Foundation
import KMIPEngine
import KMIPTLS

extension TokenTLSKey {
    /// The server's TLS key as the private key `privateKeyID` of the engine's token: each private
    /// operation of a handshake is one token call (C_Sign), waited for on the handshake's thread.
    public static func inToken(_ token: any Token, privateKeyID: String) -> TokenTLSKey {
        TokenTLSKey { operation, input in
            let mechanism: SigningMechanism = switch operation {
            case .rsaPKCS1: .rsaPKCS1Raw
            case .rsaRaw: .rsaRaw
            case .ecdsa: .ecdsaDigest
            }
            let answer = Answer()
            Task {
                answer.bytes = try? await token.sign(id: privateKeyID, mechanism: mechanism, data: input)
                answer.done.signal()
            }
            answer.done.wait()
            guard let raw = answer.bytes else { return nil }
            return operation == .ecdsa ? try? ECDSASignature.der(fromRaw: raw) : raw
        }
    }
}

/// One token answer handed from the task to the waiting handshake thread (the semaphore orders them).
private final class Answer: @unchecked Sendable {
    var bytes: [UInt8]?
    let done = DispatchSemaphore(value: 0)
}
