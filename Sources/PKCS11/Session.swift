import CPKCS11

/// An open PKCS#11 session. Not safe for two threads at once (SoftHSM2 crashes): the owner keeps it
/// on one thread at a time; the HSM backend's session pool guarantees that. Closes itself.
public final class Session: @unchecked Sendable {
    let module: Module
    public let handle: CK_SESSION_HANDLE
    /// Calls on this session that succeeded: a unit of work that fails with a session error before
    /// any call succeeded had no effect and may be repeated.
    public private(set) var successfulCalls = 0
    /// When the call being made started: every call reads `f` just before it (or follows the previous
    /// call's `check`, for methods that keep `f` in a local).
    private var callStarted: UInt64 = 0
    var f: CK_FUNCTION_LIST {
        callStarted = CallMetrics.now()
        return module.functions.pointee
    }

    /// The module-wide `check`, counting successes on this session and timing the call (every Session
    /// method uses it).
    func check(_ rv: CK_RV, _ function: String) throws(PKCS11Error) {
        CallMetrics.record(function, started: callStarted, rv: rv)
        callStarted = CallMetrics.now()
        try PKCS11.check(rv, function)
        successfulCalls &+= 1
    }

    private var closed = false

    init(module: Module, handle: CK_SESSION_HANDLE) { self.module = module; self.handle = handle }
    deinit { if !closed && !module.isExiting { _ = f.C_CloseSession(handle) } }

    /// C_CloseSession now, on the owner's thread (deinit would do it on whichever thread lets go last).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = f.C_CloseSession(handle)
    }

    public func login(userType: CK_USER_TYPE = CK_USER_TYPE(CKU_USER), pin: String) throws(PKCS11Error) {
        var p = Array(pin.utf8)
        let rv = f.C_Login(handle, userType, &p, CK_ULONG(p.count))
        // Login state is per application: a second session's login reports this, which is fine.
        if rv == CK_RV(CKR_USER_ALREADY_LOGGED_IN) { return }
        try check(rv, "C_Login")
    }
    /// C_GetSessionInfo's state: CKS_RW_USER_FUNCTIONS when logged in as the user.
    public func state() throws(PKCS11Error) -> UInt {
        var info = CK_SESSION_INFO()
        try check(f.C_GetSessionInfo(handle, &info), "C_GetSessionInfo")
        return UInt(info.state)
    }

    public func logout() throws(PKCS11Error) { try check(f.C_Logout(handle), "C_Logout") }

    /// C_SetPIN for whoever is logged in on this session (the SO, or the user).
    public func setPIN(old: String, new: String) throws(PKCS11Error) {
        var o = Array(old.utf8), n = Array(new.utf8)
        try check(f.C_SetPIN(handle, &o, CK_ULONG(o.count), &n, CK_ULONG(n.count)), "C_SetPIN")
    }

    public func generateKey(_ mechanism: Mechanism, template: [ObjectAttribute]) throws(PKCS11Error) -> ObjectHandle {
        var key: CK_OBJECT_HANDLE = 0
        try withTemplate(template) { (t, n) throws(PKCS11Error) in
            try check(mechanism.withC { mech in f.C_GenerateKey(handle, &mech, t, n, &key) }, "C_GenerateKey")
        }
        return ObjectHandle(key)
    }

    public func createObject(_ template: [ObjectAttribute]) throws(PKCS11Error) -> ObjectHandle {
        var obj: CK_OBJECT_HANDLE = 0
        try withTemplate(template) { (t, n) throws(PKCS11Error) in
            try check(f.C_CreateObject(handle, t, n, &obj), "C_CreateObject")
        }
        return ObjectHandle(obj)
    }

    public func destroyObject(_ object: ObjectHandle) throws(PKCS11Error) {
        try check(f.C_DestroyObject(handle, object.c), "C_DestroyObject")
    }

    /// The value of one attribute (two-call form: size, then bytes).
    public func attribute(_ type: UInt, of object: ObjectHandle) throws(PKCS11Error) -> [UInt8] {
        var a = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(type), pValue: nil, ulValueLen: 0)
        try check(f.C_GetAttributeValue(handle, object.c, &a, 1), "C_GetAttributeValue")
        var out = [UInt8](repeating: 0, count: Int(a.ulValueLen))
        let rv = out.withUnsafeMutableBytes { p in
            a.pValue = p.baseAddress
            return f.C_GetAttributeValue(handle, object.c, &a, 1)
        }
        try check(rv, "C_GetAttributeValue")
        return Array(out.prefix(Int(a.ulValueLen)))
    }

    /// Every object matching `template` (C_FindObjects). Scans the token: start-up only, never per request.
    public func findObjects(_ template: [ObjectAttribute]) throws(PKCS11Error) -> [ObjectHandle] {
        try withTemplate(template) { (t, n) throws(PKCS11Error) in
            try check(f.C_FindObjectsInit(handle, t, n), "C_FindObjectsInit")
        }
        defer { _ = f.C_FindObjectsFinal(handle) }
        var out = [ObjectHandle]()
        var batch = [CK_OBJECT_HANDLE](repeating: 0, count: 256)
        while true {
            var got: CK_ULONG = 0
            try check(f.C_FindObjects(handle, &batch, CK_ULONG(batch.count), &got), "C_FindObjects")
            if got == 0 { break }
            out += batch.prefix(Int(got)).map { ObjectHandle($0) }
        }
        return out
    }

    public func generateRandom(_ count: Int) throws(PKCS11Error) -> [UInt8] {
        guard count >= 0 else { throw PKCS11Error(.invalidArgument, function: "C_GenerateRandom of \(count) bytes") }
        var out = [UInt8](repeating: 0, count: count)
        try check(f.C_GenerateRandom(handle, &out, CK_ULONG(count)), "C_GenerateRandom")
        return out
    }

    /// Single-part digest on the token (C_DigestInit + C_Digest).
    public func digest(_ mechanism: Mechanism, _ data: [UInt8]) throws(PKCS11Error) -> [UInt8] {
        try check(mechanism.withC { mech in f.C_DigestInit(handle, &mech) }, "C_DigestInit")
        var input = data
        var len: CK_ULONG = 64
        var out = [UInt8](repeating: 0, count: 64)
        try check(f.C_Digest(handle, &input, CK_ULONG(input.count), &out, &len), "C_Digest")
        return Array(out.prefix(Int(len)))
    }

    public func generateKeyPair(_ mechanism: Mechanism, publicTemplate: [ObjectAttribute],
                                privateTemplate: [ObjectAttribute]) throws(PKCS11Error) -> (publicKey: ObjectHandle, privateKey: ObjectHandle) {
        var pub: CK_OBJECT_HANDLE = 0, priv: CK_OBJECT_HANDLE = 0
        try withTemplate(publicTemplate) { (pt, pn) throws(PKCS11Error) in
            try withTemplate(privateTemplate) { (vt, vn) throws(PKCS11Error) in
                try check(mechanism.withC { mech in f.C_GenerateKeyPair(handle, &mech, pt, pn, vt, vn, &pub, &priv) }, "C_GenerateKeyPair")
            }
        }
        return (ObjectHandle(pub), ObjectHandle(priv))
    }

    /// Digest of a secret key's value inside the token (C_DigestInit + C_DigestKey + C_DigestFinal).
    public func digestKey(_ mechanism: Mechanism, key: ObjectHandle) throws(PKCS11Error) -> [UInt8] {
        try check(mechanism.withC { mech in f.C_DigestInit(handle, &mech) }, "C_DigestInit")
        let rv = f.C_DigestKey(handle, key.c)
        var len: CK_ULONG = 64
        var out = [UInt8](repeating: 0, count: 64)
        guard rv == CK_RV(CKR_OK) else {
            _ = f.C_DigestFinal(handle, &out, &len)  // end the operation before reporting
            throw PKCS11Error(function: "C_DigestKey", rv: UInt(rv))
        }
        try check(f.C_DigestFinal(handle, &out, &len), "C_DigestFinal")
        return Array(out.prefix(Int(len)))
    }
}
