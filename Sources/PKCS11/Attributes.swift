import CPKCS11

/// A typed PKCS#11 attribute for templates (CK_ATTRIBUTE with owned storage).
public enum ObjectAttribute: Sendable, Hashable {
    case bool(UInt, Bool)
    case ulong(UInt, UInt)
    case bytes(UInt, [UInt8])

    public var type: UInt {
        switch self { case .bool(let t, _), .ulong(let t, _), .bytes(let t, _): t }
    }
    var storage: [UInt8] {
        switch self {
        case .bool(_, let b): return [b ? 1 : 0]
        case .ulong(_, let v): return withUnsafeBytes(of: CK_ULONG(v)) { Array($0) }
        case .bytes(_, let b): return b
        }
    }

    // Common attributes, named as in PKCS#11 §4.
    public static func cls(_ v: UInt) -> Self { .ulong(UInt(CKA_CLASS), v) }
    public static func keyType(_ v: UInt) -> Self { .ulong(UInt(CKA_KEY_TYPE), v) }
    public static func id(_ s: String) -> Self { .bytes(UInt(CKA_ID), Array(s.utf8)) }
    public static func label(_ s: String) -> Self { .bytes(UInt(CKA_LABEL), Array(s.utf8)) }
    public static func value(_ b: [UInt8]) -> Self { .bytes(UInt(CKA_VALUE), b) }
    public static func valueLen(_ n: Int) -> Self { .ulong(UInt(CKA_VALUE_LEN), UInt(n)) }
    public static func token(_ b: Bool) -> Self { .bool(UInt(CKA_TOKEN), b) }
    public static func isPrivate(_ b: Bool) -> Self { .bool(UInt(CKA_PRIVATE), b) }
    public static func sensitive(_ b: Bool) -> Self { .bool(UInt(CKA_SENSITIVE), b) }
    public static func extractable(_ b: Bool) -> Self { .bool(UInt(CKA_EXTRACTABLE), b) }
    public static func modifiable(_ b: Bool) -> Self { .bool(UInt(CKA_MODIFIABLE), b) }
    public static func flag(_ t: Int32, _ b: Bool) -> Self { .bool(UInt(t), b) }
}

/// Calls `body` with a CK_ATTRIBUTE array whose value pointers stay valid for the call.
func withTemplate<R>(_ attrs: [ObjectAttribute], _ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) throws(PKCS11Error) -> R) throws(PKCS11Error) -> R {
    let buffers = attrs.map { a -> UnsafeMutableRawBufferPointer in
        let s = a.storage
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(s.count, 1), alignment: 8)
        p.copyBytes(from: s)
        return p
    }
    defer {
        // Key material may pass through here (C_CreateObject): wipe before freeing.
        for b in buffers { b.initializeMemory(as: UInt8.self, repeating: 0); b.deallocate() }
    }
    var template = zip(attrs, buffers).map { a, b in
        CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(a.type), pValue: b.baseAddress, ulValueLen: CK_ULONG(a.storage.count))
    }
    return try template.withUnsafeMutableBufferPointer { (p) throws(PKCS11Error) -> R in
        try body(p.baseAddress, CK_ULONG(p.count))
    }
}
