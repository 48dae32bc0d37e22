import Foundation
import KMIPEngine
import KMIPTLS

extension TokenTLSKey {
    /// The server's TLS key as the private key `privateKeyID` of the engine's token: each private
    /// operation of a handshake is one token call (C_Sign). In the server it runs on the blocking-work
    /// threads while the handshake's ASYNC job waits (the event loop goes on); `perform`, for a
    /// handshake not in a job, waits for it on the calling thread.
    public static func inToken(_ token: any Token, privateKeyID: String) -> TokenTLSKey {
        @Sendable func sign(_ operation: Operation, _ input: [UInt8]) async -> [UInt8]? {
            let mechanism: SigningMechanism = switch operation {
            case .rsaPKCS1: .rsaPKCS1Raw
            case .rsaRaw: .rsaRaw
            case .ecdsa: .ecdsaDigest
            }
            guard let raw = try? await token.sign(id: privateKeyID, mechanism: mechanism, data: input) else { return nil }
            return operation == .ecdsa ? try? ECDSASignature.der(fromRaw: raw) : raw
        }
        return TokenTLSKey(perform: { operation, input in
            let answer = Answer()
            Task(executorPreference: BlockingExecutor.shared) {
                answer.bytes = await sign(operation, input)
                answer.done.signal()
            }
            answer.done.wait()
            return answer.bytes
        }, start: { operation, input, done in
            Task(executorPreference: BlockingExecutor.shared) { done(await sign(operation, input)) }
        })
    }
}

/// One token answer handed from the task to the waiting thread (the semaphore orders them).
private final class Answer: @unchecked Sendable {
    var bytes: [UInt8]?
    let done = DispatchSemaphore(value: 0)
}
