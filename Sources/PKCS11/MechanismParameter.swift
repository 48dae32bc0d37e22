import CPKCS11

/// A mechanism's parameter, built as its C struct only for the duration of a call (PKCS#11 v2.40:
/// CK_GCM_PARAMS, CK_AES_CTR_PARAMS, CK_RSA_PKCS_OAEP_PARAMS, CK_RSA_PKCS_PSS_PARAMS, or raw bytes
/// such as a CBC IV).
public enum MechanismParameter: Sendable, Hashable {
    case none
    case bytes([UInt8])
    case gcm(iv: [UInt8], aad: [UInt8], tagBits: Int)
    case ctr(counterBits: Int, counterBlock: [UInt8])
    case oaep(hash: MechanismType, mgf: MaskGeneration, label: [UInt8])
    case pss(hash: MechanismType, mgf: MaskGeneration, saltLength: Int)
    /// CK_KEY_DERIVATION_STRING_DATA (CKM_AES_ECB_ENCRYPT_DATA).
    case derivationString([UInt8])
    /// CK_AES_CBC_ENCRYPT_DATA_PARAMS.
    case aesCBCEncryptData(iv: [UInt8], data: [UInt8])
    /// CK_ECDH1_DERIVE_PARAMS with CKD_NULL: the raw shared secret, from the peer's public point.
    case ecdh1(publicData: [UInt8])

    /// Points `mech` at the C struct `params` for the duration of `body`.
    private func attach<P>(_ params: inout P, _ mech: inout CK_MECHANISM, _ body: (inout CK_MECHANISM) -> CK_RV) -> CK_RV {
        withUnsafeMutableBytes(of: &params) { pp in
            mech.pParameter = pp.baseAddress
            mech.ulParameterLen = CK_ULONG(pp.count)
            return body(&mech)
        }
    }

    /// Whether every length fits a CK_ULONG. The engine range-checks what it decodes; this keeps a value
    /// it missed from trapping (a remote crash) — the call is answered CKR_MECHANISM_PARAM_INVALID instead.
    var isRepresentable: Bool {
        switch self {
        case .gcm(_, _, let tagBits): tagBits >= 0
        case .ctr(let counterBits, _): counterBits >= 0
        case .pss(_, _, let saltLength): saltLength >= 0
        default: true
        }
    }

    /// Calls `body` with a CK_MECHANISM for `type` carrying this parameter.
    func withMechanism(_ type: UInt, _ body: (inout CK_MECHANISM) -> CK_RV) -> CK_RV {
        guard isRepresentable else { return CK_RV(CKR_MECHANISM_PARAM_INVALID) }
        var mech = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(type), pParameter: nil, ulParameterLen: 0)
        switch self {
        case .none:
            return body(&mech)
        case .bytes(let b):
            var copy = b
            return copy.withUnsafeMutableBytes { p in
                mech.pParameter = p.baseAddress; mech.ulParameterLen = CK_ULONG(p.count)
                return body(&mech)
            }
        case .gcm(let iv, let aad, let tagBits):
            var ivCopy = iv, aadCopy = aad
            return ivCopy.withUnsafeMutableBufferPointer { ivp in
                aadCopy.withUnsafeMutableBufferPointer { aadp in
                    // ulIvBits is ignored by SoftHSM2 but read by other HSMs (PKCS#11 v2.40 CK_GCM_PARAMS).
                    var params = CK_GCM_PARAMS(pIv: ivp.baseAddress, ulIvLen: CK_ULONG(iv.count), ulIvBits: CK_ULONG(iv.count * 8),
                                               pAAD: aad.isEmpty ? nil : aadp.baseAddress, ulAADLen: CK_ULONG(aad.count),
                                               ulTagBits: CK_ULONG(tagBits))
                    return attach(&params, &mech, body)
                }
            }
        case .ctr(let counterBits, let block):
            var params = CK_AES_CTR_PARAMS()
            params.ulCounterBits = CK_ULONG(counterBits)
            withUnsafeMutableBytes(of: &params.cb) { cb in
                for (i, byte) in block.prefix(16).enumerated() { cb[i] = byte }
            }
            return attach(&params, &mech, body)
        case .oaep(let hash, let mgf, let label):
            var labelCopy = label
            return labelCopy.withUnsafeMutableBytes { lp in
                var params = CK_RSA_PKCS_OAEP_PARAMS(hashAlg: CK_MECHANISM_TYPE(hash.rawValue), mgf: CK_RSA_PKCS_MGF_TYPE(mgf.rawValue),
                                                     source: CK_RSA_PKCS_OAEP_SOURCE_TYPE(CKZ_DATA_SPECIFIED),
                                                     pSourceData: label.isEmpty ? nil : lp.baseAddress, ulSourceDataLen: CK_ULONG(label.count))
                return attach(&params, &mech, body)
            }
        case .derivationString(let data):
            var copy = data
            return copy.withUnsafeMutableBufferPointer { dp in
                var params = CK_KEY_DERIVATION_STRING_DATA(pData: dp.baseAddress, ulLen: CK_ULONG(data.count))
                return attach(&params, &mech, body)
            }
        case .aesCBCEncryptData(let iv, let data):
            var copy = data
            return copy.withUnsafeMutableBufferPointer { dp in
                var params = CK_AES_CBC_ENCRYPT_DATA_PARAMS()
                withUnsafeMutableBytes(of: &params.iv) { b in for (i, v) in iv.prefix(16).enumerated() { b[i] = v } }
                params.pData = dp.baseAddress
                params.length = CK_ULONG(data.count)
                return attach(&params, &mech, body)
            }
        case .ecdh1(let publicData):
            var copy = publicData
            return copy.withUnsafeMutableBufferPointer { dp in
                var params = CK_ECDH1_DERIVE_PARAMS(kdf: ck_ec_kdf_t(CKD_NULL), ulSharedDataLen: 0, pSharedData: nil,
                                                    ulPublicDataLen: CK_ULONG(publicData.count), pPublicData: dp.baseAddress)
                return attach(&params, &mech, body)
            }
        case .pss(let hash, let mgf, let saltLength):
            var params = CK_RSA_PKCS_PSS_PARAMS(hashAlg: CK_MECHANISM_TYPE(hash.rawValue), mgf: CK_RSA_PKCS_MGF_TYPE(mgf.rawValue), sLen: CK_ULONG(saltLength))
            return attach(&params, &mech, body)
        }
    }
}

extension Session {
    /// Single-part C_Encrypt or C_Decrypt (two-call form for the output size).
    public func crypt(encrypt: Bool, _ mechanism: Mechanism, key: ObjectHandle, _ data: [UInt8]) throws(PKCS11Error) -> [UInt8] {
        let f = self.f
        let name = encrypt ? "C_Encrypt" : "C_Decrypt"
        let rvInit = mechanism.withC { mech in
            encrypt ? f.C_EncryptInit(handle, &mech, key.c) : f.C_DecryptInit(handle, &mech, key.c)
        }
        try check(rvInit, name + "Init")
        var input = data
        // Two-call form: the first call (no buffer) reports the size and keeps the operation going.
        var outLen: CK_ULONG = 0
        let sizing = encrypt ? f.C_Encrypt(handle, &input, CK_ULONG(input.count), nil, &outLen)
                             : f.C_Decrypt(handle, &input, CK_ULONG(input.count), nil, &outLen)
        try check(sizing, name)
        var out = [UInt8](repeating: 0, count: Int(outLen))
        let rv = encrypt ? f.C_Encrypt(handle, &input, CK_ULONG(input.count), &out, &outLen)
                         : f.C_Decrypt(handle, &input, CK_ULONG(input.count), &out, &outLen)
        try check(rv, name)
        return Array(out.prefix(Int(outLen)))
    }

    /// Single-part signature or MAC (C_SignInit + C_Sign, two-call form for the size).
    public func sign(_ mechanism: Mechanism, key: ObjectHandle, _ data: [UInt8]) throws(PKCS11Error) -> [UInt8] {
        let f = self.f
        try check(mechanism.withC { mech in f.C_SignInit(handle, &mech, key.c) }, "C_SignInit")
        var input = data
        var len: CK_ULONG = 0
        try check(f.C_Sign(handle, &input, CK_ULONG(input.count), nil, &len), "C_Sign")
        var out = [UInt8](repeating: 0, count: Int(len))
        try check(f.C_Sign(handle, &input, CK_ULONG(input.count), &out, &len), "C_Sign")
        return Array(out.prefix(Int(len)))
    }

    /// C_Verify: true for a valid signature, false for CKR_SIGNATURE_INVALID / CKR_SIGNATURE_LEN_RANGE.
    /// C_Verify; false for CKR_SIGNATURE_INVALID, CKR_SIGNATURE_LEN_RANGE and the return codes in
    /// `alsoInvalid` (tokens that report some bad signatures otherwise: openCryptoki, CKR_GENERAL_ERROR).
    public func verify(_ mechanism: Mechanism, key: ObjectHandle, _ data: [UInt8], signature: [UInt8],
                       alsoInvalid: Set<UInt> = []) throws(PKCS11Error) -> Bool {
        let f = self.f
        try check(mechanism.withC { mech in f.C_VerifyInit(handle, &mech, key.c) }, "C_VerifyInit")
        var input = data, sig = signature
        let rv = f.C_Verify(handle, &input, CK_ULONG(input.count), &sig, CK_ULONG(sig.count))
        if rv == CK_RV(CKR_SIGNATURE_INVALID) || rv == CK_RV(CKR_SIGNATURE_LEN_RANGE) || alsoInvalid.contains(UInt(rv)) { return false }
        try check(rv, "C_Verify")
        return true
    }

    public func seedRandom(_ seed: [UInt8]) throws(PKCS11Error) {
        var s = seed
        try check(module.functions.pointee.C_SeedRandom(handle, &s, CK_ULONG(s.count)), "C_SeedRandom")
    }
}

extension Session {
    /// C_WrapKey (two-call form): `key` encrypted under `wrappingKey` inside the token.
    public func wrapKey(_ mechanism: Mechanism, wrappingKey: ObjectHandle, key: ObjectHandle) throws(PKCS11Error) -> [UInt8] {
        let f = self.f
        var len: CK_ULONG = 0
        let sizing = mechanism.withC { mech in
            f.C_WrapKey(handle, &mech, wrappingKey.c, key.c, nil, &len)
        }
        try check(sizing, "C_WrapKey")
        var out = [UInt8](repeating: 0, count: Int(len))
        let rv = mechanism.withC { mech in
            f.C_WrapKey(handle, &mech, wrappingKey.c, key.c, &out, &len)
        }
        try check(rv, "C_WrapKey")
        return Array(out.prefix(Int(len)))
    }

    /// C_UnwrapKey: a new key object made from `wrapped` inside the token; its value never leaves it.
    public func unwrapKey(_ mechanism: Mechanism, unwrappingKey: ObjectHandle, wrapped: [UInt8],
                          template: [ObjectAttribute]) throws(PKCS11Error) -> ObjectHandle {
        let f = self.f
        var obj: CK_OBJECT_HANDLE = 0
        var input = wrapped
        try withTemplate(template) { (t, n) throws(PKCS11Error) in
            let rv = mechanism.withC { mech in
                f.C_UnwrapKey(handle, &mech, unwrappingKey.c, &input, CK_ULONG(input.count), t, n, &obj)
            }
            try check(rv, "C_UnwrapKey")
        }
        return ObjectHandle(obj)
    }
}

extension Session {
    /// C_EncryptInit / C_DecryptInit for a multi-part operation (the token copies the parameter).
    public func cryptInit(encrypt: Bool, _ mechanism: Mechanism, key: ObjectHandle) throws(PKCS11Error) {
        let f = self.f
        let rv = mechanism.withC { mech in
            encrypt ? f.C_EncryptInit(handle, &mech, key.c) : f.C_DecryptInit(handle, &mech, key.c)
        }
        try check(rv, encrypt ? "C_EncryptInit" : "C_DecryptInit")
    }

    /// C_EncryptUpdate / C_DecryptUpdate (two-call form).
    public func cryptUpdate(encrypt: Bool, _ data: [UInt8]) throws(PKCS11Error) -> [UInt8] {
        let f = self.f
        var input = data
        var len = CK_ULONG(data.count + 64)
        var out = [UInt8](repeating: 0, count: Int(len))
        let rv = encrypt ? f.C_EncryptUpdate(handle, &input, CK_ULONG(input.count), &out, &len)
                         : f.C_DecryptUpdate(handle, &input, CK_ULONG(input.count), &out, &len)
        try check(rv, encrypt ? "C_EncryptUpdate" : "C_DecryptUpdate")
        return Array(out.prefix(Int(len)))
    }

    /// C_EncryptFinal / C_DecryptFinal.
    public func cryptFinal(encrypt: Bool) throws(PKCS11Error) -> [UInt8] {
        let f = self.f
        var len: CK_ULONG = 128
        var out = [UInt8](repeating: 0, count: Int(len))
        let rv = encrypt ? f.C_EncryptFinal(handle, &out, &len) : f.C_DecryptFinal(handle, &out, &len)
        try check(rv, encrypt ? "C_EncryptFinal" : "C_DecryptFinal")
        return Array(out.prefix(Int(len)))
    }
}

extension Session {
    /// C_DeriveKey: a new key object derived inside the token from `baseKey`.
    public func deriveKey(_ mechanism: Mechanism, baseKey: ObjectHandle, template: [ObjectAttribute]) throws(PKCS11Error) -> ObjectHandle {
        let f = self.f
        var obj: CK_OBJECT_HANDLE = 0
        try withTemplate(template) { (t, n) throws(PKCS11Error) in
            let rv = mechanism.withC { mech in f.C_DeriveKey(handle, &mech, baseKey.c, t, n, &obj) }
            try check(rv, "C_DeriveKey")
        }
        return ObjectHandle(obj)
    }
}
