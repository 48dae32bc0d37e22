import KMIP
import KMIPEngine
import Testing

/// The one place a failure becomes a Result Reason (KMIP 2.1 §11.46, 1.4 §9.1.3.2.29) answers each
/// client in its own version: a reason the client's version does not define is unreadable to it.
@Suite struct ResultReasonTests {
    @Test(arguments: ProtocolVersion.supported)
    func everyReasonExistsInTheClientsVersion(version: ProtocolVersion) {
        for code in EngineError.Code.allCases {
            let reason = EngineError(code, "").resultReason(for: version)
            let since = reason.since
            #expect(since != nil && since! <= version, "\(code) answers \(reason) to a \(version) client")
        }
    }

    /// A destroyed object's value: Item Not Found to 1.x clients, Object Destroyed to 2.x.
    @Test func destroyedObjects() {
        #expect(EngineError(.objectDestroyed, "").resultReason(for: .v1_2) == .itemNotFound)
        #expect(EngineError(.objectDestroyed, "").resultReason(for: .v1_4) == .itemNotFound)
        #expect(EngineError(.objectDestroyed, "").resultReason(for: .v2_0) == .objectDestroyed)
    }
}
