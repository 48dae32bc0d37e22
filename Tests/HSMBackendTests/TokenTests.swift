import Foundation
import HSMBackend
import KMIP
import KMIPEngine
import KMIPTestSupport
import Testing

/// The Token port on a real SoftHSM2 token in a temporary folder.
@Suite struct TokenTests {
    func spec(extractable: Bool, alg: CryptographicAlgorithm = .aes, bits: Int = 256) -> SecretKeySpec {
        SecretKeySpec(algorithm: alg, lengthBits: bits, extractable: extractable, usage: [.encrypt, .decrypt], label: "test")
    }

    @Test func generatedKeysHonourExtractability() async throws {
        let token = try TestHSM.makeToken()
        try await token.generateSecretKey(id: "ext", spec: spec(extractable: true))
        #expect(try await token.readValue(id: "ext").count == 32)
        try await token.generateSecretKey(id: "kept", spec: spec(extractable: false))
        await #expect(throws: EngineError.self) { try await token.readValue(id: "kept") }
        // CKR_ATTRIBUTE_SENSITIVE, kept in the error.
        do { _ = try await token.readValue(id: "kept") } catch { #expect(error.code == .sensitive && error.underlying != nil) }
    }

    @Test(arguments: [(CryptographicAlgorithm._3des, 168), (.hmacSHA256, 256), (.hmacSHA512, 512), (.chaCha20, 256), (.aes, 128)])
    func everySymmetricAlgorithmIsGeneratedInTheToken(alg: CryptographicAlgorithm, bits: Int) async throws {
        let token = try TestHSM.makeToken()
        try await token.generateSecretKey(id: "k", spec: spec(extractable: true, alg: alg, bits: bits))
        // 3DES: 168 key bits travel as 24 bytes (each byte carries a parity bit).
        #expect(try await token.readValue(id: "k").count == (alg == ._3des ? 24 : bits / 8))
    }

    @Test func importsDataAndRestartsFindTheObjects() async throws {
        let token = try TestHSM.makeToken()
        try await token.importSecretKey(id: "imp", spec: spec(extractable: true, bits: 128), material: Array(0..<16))
        try await token.storeData(id: "data-1", label: "secret", bytes: Array("hunter2".utf8))
        #expect(try await token.readValue(id: "imp") == Array(0..<16))
        #expect(try await token.readValue(id: "data-1") == Array("hunter2".utf8))
        // A new process's view: a second token object built from the same slot scans CKA_ID/CKA_LABEL once.
        let again = try PKCS11Token(profile: token.profile, pin: TestHSM.pin)
        #expect(try await again.allIDs() == ["imp", "data-1"])
        #expect(try await again.readValue(id: "data-1") == Array("hunter2".utf8))
        try await again.destroy(id: "imp")
        try await again.destroy(id: "imp")  // repeated destroy (recovery) is not an error
        #expect(try await again.allIDs() == ["data-1"])
        #expect(try await token.hash(.sha256, data: Array("abc".utf8)).count == 32)
    }
}
