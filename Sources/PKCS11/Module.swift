import CPKCS11
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loaded and initialised PKCS#11 module (dlopen + C_GetFunctionList + C_Initialize with
/// CKF_OS_LOCKING_OK). Shared by all sessions; the function list is read-only after loading.
public final class Module: @unchecked Sendable {
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    /// Set when the process is about to exit: sessions then no longer close themselves, because the
    /// module's own exit handlers tear its state down and a C_CloseSession from another thread at that
    /// moment crashes SoftHSM2 (seen at kmipd's exit: a deinit racing the exit handlers).
    private let exiting = Atomic<Bool>(false)
    public var isExiting: Bool { exiting.load(ordering: .acquiring) }
    public func prepareForExit() { exiting.store(true, ordering: .releasing) }
    private let handle: UnsafeMutableRawPointer?
    public let path: String

    private static let loaded = LoadedModules()

    /// The process-wide instance for `path`: a module is initialised once and finalised never, since
    /// C_Finalize from one owner would pull the module from under every other.
    public static func shared(path: String) throws(PKCS11Error) -> Module {
        try loaded.get(path)
    }

    init(path: String) throws(PKCS11Error) {
        var h: UnsafeMutableRawPointer?
        guard let list = kmipd_load_module(path, &h) else {
            throw PKCS11Error(.moduleLoad, function: "dlopen(\(path))")
        }
        functions = list; handle = h; self.path = path
        var args = CK_C_INITIALIZE_ARGS()
        args.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
        let rv = withUnsafeMutablePointer(to: &args) { functions.pointee.C_Initialize(UnsafeMutableRawPointer($0)) }
        if rv != CK_RV(CKR_OK) && rv != CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            throw PKCS11Error(function: "C_Initialize", rv: UInt(rv))
        }
    }


    /// A token's identity as C_GetTokenInfo reports it.
    public struct TokenInfo: Sendable {
        public var slot: UInt
        public var label: String
        public var serial: String
        public var manufacturer: String
        public var model: String
        public var initialized: Bool
        /// The PIN lengths the token accepts (C_GetTokenInfo's ulMinPinLen and ulMaxPinLen).
        public var pinLength: ClosedRange<Int>
        /// CKF_USER_PIN_TO_BE_CHANGED / CKF_SO_PIN_TO_BE_CHANGED: the token wants C_SetPIN before use.
        public var userPINToBeChanged: Bool
        public var soPINToBeChanged: Bool
    }

    public func tokens() throws(PKCS11Error) -> [TokenInfo] {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetSlotList(CK_BBOOL(CK_TRUE), nil, &count), "C_GetSlotList")
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try check(functions.pointee.C_GetSlotList(CK_BBOOL(CK_TRUE), &slots, &count), "C_GetSlotList")
        var out = [TokenInfo]()
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            try check(functions.pointee.C_GetTokenInfo(slot, &info), "C_GetTokenInfo")
            out.append(TokenInfo(slot: UInt(slot), label: Self.padded(info.label), serial: Self.padded(info.serialNumber),
                                 manufacturer: Self.padded(info.manufacturerID), model: Self.padded(info.model),
                                 initialized: info.flags & CK_FLAGS(CKF_TOKEN_INITIALIZED) != 0,
                                 pinLength: Self.pinRange(min: info.ulMinPinLen, max: info.ulMaxPinLen),
                                 userPINToBeChanged: info.flags & CK_FLAGS(CKF_USER_PIN_TO_BE_CHANGED) != 0,
                                 soPINToBeChanged: info.flags & CK_FLAGS(CKF_SO_PIN_TO_BE_CHANGED) != 0))
        }
        return out
    }

    /// The slot whose token has `label` (slot IDs change when SoftHSM2 initialises a token).
    public func slot(tokenLabel: String) throws(PKCS11Error) -> UInt {
        let all = try tokens()
        guard let t = all.first(where: { $0.label == tokenLabel && $0.initialized }) else {
            // Say what is there: a token that lost its label or was never initialised looks like this.
            let seen = all.map { "slot \($0.slot) '\($0.label)'\($0.initialized ? "" : " (uninitialised)")" }.joined(separator: ", ")
            throw PKCS11Error(.tokenNotFound, function: "no initialised token labelled '\(tokenLabel)' (the module shows \(seen.isEmpty ? "no token" : seen))")
        }
        return t.slot
    }

    /// Initialises the token in `slot` (C_InitToken) and sets the user PIN.
    /// C_InitToken with `initialSOPIN` (the PIN a fresh token accepts: the new SO PIN on most tokens,
    /// a factory PIN on some), then as the SO: C_SetPIN to `soPIN` when they differ, and C_InitPIN.
    /// With an `interimUserPIN`, the user PIN is first set to it and then changed by the user
    /// with C_SetPIN, for tokens that refuse a PIN the SO set until its owner changed it.
    public func initToken(slot: UInt, label: String, initialSOPIN: String, soPIN: String, userPIN: String,
                          interimUserPIN: String? = nil) throws(PKCS11Error) {
        var so = Array(initialSOPIN.utf8)
        var lbl = Array(label.utf8.prefix(32)) + [UInt8](repeating: 0x20, count: max(0, 32 - label.utf8.count))
        try check(functions.pointee.C_InitToken(CK_SLOT_ID(slot), &so, CK_ULONG(so.count), &lbl), "C_InitToken")
        let s = try openSession(slot: slot)
        defer { s.close() }
        try s.login(userType: CK_USER_TYPE(CKU_SO), pin: initialSOPIN)
        if soPIN != initialSOPIN { try s.setPIN(old: initialSOPIN, new: soPIN) }
        let first = interimUserPIN ?? userPIN
        var user = Array(first.utf8)
        try check(functions.pointee.C_InitPIN(s.handle, &user, CK_ULONG(user.count)), "C_InitPIN")
        try? s.logout()
        guard interimUserPIN != nil else { return }
        try s.login(pin: first)
        try s.setPIN(old: first, new: userPIN)
        try? s.logout()
    }

    static func pinRange(min: CK_ULONG, max: CK_ULONG) -> ClosedRange<Int> {
        // Tokens report CK_UNAVAILABLE_INFORMATION or nonsense here; keep the range sane.
        let lo = min > 255 ? 1 : Swift.max(1, Int(min))
        let hi = max > 255 ? 255 : Swift.max(lo, Int(max))
        return lo...hi
    }

    public func openSession(slot: UInt) throws(PKCS11Error) -> Session {
        var h: CK_SESSION_HANDLE = 0
        try check(functions.pointee.C_OpenSession(CK_SLOT_ID(slot), CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &h), "C_OpenSession")
        return Session(module: self, handle: h)
    }

    /// Mechanisms the token in `slot` offers.
    public func mechanisms(slot: UInt) throws(PKCS11Error) -> [UInt] {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetMechanismList(CK_SLOT_ID(slot), nil, &count), "C_GetMechanismList")
        var list = [CK_MECHANISM_TYPE](repeating: 0, count: Int(count))
        try check(functions.pointee.C_GetMechanismList(CK_SLOT_ID(slot), &list, &count), "C_GetMechanismList")
        return list.prefix(Int(count)).map(UInt.init)
    }

    static func padded<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw, as: UTF8.self).trimmingCharacters(in: " \0")
        }
    }
}

extension String {
    func trimmingCharacters(in chars: String) -> String {
        let set = Set(chars)
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

final class LoadedModules: @unchecked Sendable {
    private let modules = Mutex<[String: Module]>([:])
    func get(_ path: String) throws(PKCS11Error) -> Module {
        try modules.withLock { (modules) throws(PKCS11Error) -> Module in
            if let m = modules[path] { return m }
            let m = try Module(path: path)
            modules[path] = m
            return m
        }
    }
}
