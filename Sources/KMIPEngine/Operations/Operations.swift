import KMIP

/// Every operation handler this server has (KMIP 2.1 §6.1). The batch executor routes by `operation`.
public enum Operations {
    public static let all: [any OperationHandler] = [
        DiscoverVersionsHandler(), QueryHandler(), CreateHandler(), RegisterHandler(), GetHandler(),
        GetAttributesHandler(), GetAttributeListHandler(), AddAttributeHandler(), ModifyAttributeHandler(),
        DeleteAttributeHandler(), SetAttributeHandler(), LocateHandler(), CheckHandler(), ActivateHandler(),
        RevokeHandler(), DestroyHandler(), InteropHandler(), LogHandler(), PingHandler(), ObtainLeaseHandler(), GetUsageAllocationHandler(), CreateKeyPairHandler(), CertifyHandler(),
        ReKeyHandler(), ReKeyKeyPairHandler(), ReCertifyHandler(),
        EncryptHandler(), DecryptHandler(), SignHandler(), SignatureVerifyHandler(), MACHandler(), MACVerifyHandler(),
        RNGRetrieveHandler(), RNGSeedHandler(), HashHandler(), DeriveKeyHandler(), ExportHandler(), ImportHandler(),
    ]
    /// The operations, as Query lists them.
    public static let supported: [Operation] = all.map { type(of: $0).operation }
}
