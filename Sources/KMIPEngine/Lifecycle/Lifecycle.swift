import KMIP

/// NIST SP 800-57 lifecycle as KMIP defines it (KMIP 2.1 §3.x "State" and the transition figure):
/// state follows the Activation and Deactivation Dates once they pass.
public enum Lifecycle {
    /// The state `object` is in at `now`, with date-driven transitions applied.
    public static func effectiveState(_ object: ManagedObject, now: Int64) -> State {
        let s = object.state
        let act = object.date(.activationDate), deact = object.date(.deactivationDate)
        switch s {
        case .preActive:
            if let d = deact, d <= now { return .deactivated }
            if let a = act, a <= now { return .active }
        case .active:
            if let d = deact, d <= now { return .deactivated }
        default: break
        }
        return s
    }

    /// Applies date-driven transitions; true when the state changed.
    @discardableResult
    public static func advance(_ object: inout ManagedObject, now: Int64) -> Bool {
        let e = effectiveState(object, now: now)
        guard e != object.state else { return false }
        object.state = e
        return true
    }

    /// Whether key material may be used to protect (encrypt, wrap, sign, MAC) at `now`
    /// (Active, inside Protect Stop Date; KMIP 2.1 §4 Protect Stop Date).
    public static func mayProtect(_ object: ManagedObject, now: Int64) -> Bool {
        guard effectiveState(object, now: now) == .active else { return false }
        if let stop = object.date(.protectStopDate), stop <= now { return false }
        return true
    }

    /// Whether an object may be the base of a Derive Key at `now`: KMIP 2.1 §6.1.14 sets no state, so
    /// kmipd refuses only what SP 800-57 retires (Deactivated, Compromised, Destroyed); a Pre-Active
    /// password or seed may derive, as clients registering one and deriving at once expect.
    public static func mayDerive(_ object: ManagedObject, now: Int64) -> Bool {
        effectiveState(object, now: now) == .preActive || mayProtect(object, now: now)
    }

    /// Whether key material may be used to process (decrypt, verify, unwrap) at `now`.
    public static func mayProcess(_ object: ManagedObject, now: Int64) -> Bool {
        let s = effectiveState(object, now: now)
        guard s == .active || s == .deactivated || s == .compromised else { return false }
        if let start = object.date(.processStartDate), start > now { return false }
        return true
    }

    public static func isDestroyed(_ s: State) -> Bool { s == .destroyed || s == .destroyedCompromised }
}
