import CPKCS11
import Foundation
import KMIPEngine
import PKCS11

/// The token's side of the store binding (`BindingCheck`): one private CKO_DATA object with
/// CKA_APPLICATION "kmipd-binding" whose value is the JSON of a `TokenBinding`. It has no CKA_ID, so
/// the handle cache, reconciliation and adoption never see it as a managed object.
extension PKCS11Token {
    static let bindingApplication = Array("kmipd-binding".utf8)

    public var identity: TokenIdentity { TokenIdentity(serial: tokenInfo.serial, label: tokenInfo.label) }

    static var bindingTemplate: [ObjectAttribute] {
        [.cls(UInt(CKO_DATA)), .token(true), .bytes(UInt(CKA_APPLICATION), bindingApplication)]
    }

    public func readBinding() async throws(EngineError) -> TokenBinding? {
        let values = try await call { (s) throws(PKCS11Error) -> [[UInt8]] in
            try s.findObjects(Self.bindingTemplate).map { (h) throws(PKCS11Error) in try s.attribute(UInt(CKA_VALUE), of: h) }
        }
        guard let value = values.first else { return nil }
        guard values.count == 1 else {
            throw EngineError(.bindingMismatch, "\(identity) holds \(values.count) kmipd binding objects; it should hold one")
        }
        do { return try JSONDecoder().decode(TokenBinding.self, from: Data(value)) } catch {
            throw EngineError(.bindingMismatch, "\(identity) holds a kmipd binding object that cannot be read: \(error)")
        }
    }

    /// The new binding object is made before the old ones go, so a crash in between leaves two
    /// (refused at the next start, repaired by repeating the command), never none.
    public func writeBinding(_ binding: TokenBinding) async throws(EngineError) {
        let value: [UInt8]
        do { value = Array(try JSONEncoder().encode(binding)) } catch { throw EngineError(.generalFailure, "\(error)") }
        let template = Self.bindingTemplate + [.isPrivate(true), .label("kmipd store binding"), .value(value)]
        try await call { (s) throws(PKCS11Error) in
            let old = try s.findObjects(Self.bindingTemplate)
            _ = try s.createObject(template)
            for h in old { try s.destroyObject(h) }
        }
    }
}
