import Foundation
import KMIPEngine
import PKCS11
import Synchronization

/// Token set-up for provisioning scripts (`kmipd token init`, tests): initialise a free slot's token
/// with a label, an SO PIN and a user PIN, non-interactively.
public enum TokenProvisioning {
    private static let lock = Mutex(())

    public struct Result: Codable, Sendable {
        public var label: String
        public var slot: UInt
        public var serial: String
        public var created: Bool
    }

    /// Initialises a token labelled `label`, unless one exists already (then nothing changes).
    /// The profile's `provisioning` decides how: with a factory SO PIN and a user PIN changed by its
    /// owner on tokens that demand it (openCryptoki), plainly otherwise.
    public static func initialize(modulePath: String, label: String, soPIN: String, userPIN: String,
                                  provisioning: HSMProfile.Provisioning? = nil) throws(EngineError) -> Result {
        try lock.withLock { (_) throws(EngineError) -> Result in
            try initializeLocked(modulePath: modulePath, label: label, soPIN: soPIN, userPIN: userPIN, provisioning: provisioning)
        }
    }

    private static func initializeLocked(modulePath: String, label: String, soPIN: String, userPIN: String,
                                         provisioning: HSMProfile.Provisioning?) throws(EngineError) -> Result {
        do {
            let module = try Module.shared(path: modulePath)
            let tokens = try module.tokens()
            if let t = tokens.first(where: { $0.initialized && $0.label == label }) {
                return Result(label: label, slot: t.slot, serial: t.serial, created: false)
            }
            guard let free = tokens.first(where: { !$0.initialized }) else {
                throw EngineError(.tokenUnavailable, "no uninitialised slot to create token '\(label)' in")
            }
            for (name, pin) in [("SO", soPIN), ("user", userPIN)] where !free.pinLength.contains(pin.utf8.count) {
                throw EngineError(.invalidField, "the \(name) PIN has \(pin.utf8.count) characters; this token takes \(free.pinLength.lowerBound) to \(free.pinLength.upperBound)")
            }
            let interim = provisioning?.userPINMustBeChanged == true ? interimPIN(like: userPIN) : nil
            try module.initToken(slot: free.slot, label: label, initialSOPIN: provisioning?.factorySOPIN ?? soPIN, soPIN: soPIN,
                                 userPIN: userPIN, interimUserPIN: interim)
            // Slot IDs change on initialisation: look the token up again by label.
            guard let t = try module.tokens().first(where: { $0.initialized && $0.label == label }) else {
                throw EngineError(.tokenUnavailable, "token '\(label)' did not appear after C_InitToken")
            }
            return Result(label: label, slot: t.slot, serial: t.serial, created: true)
        } catch let e as PKCS11Error {
            throw EngineError(e)
        } catch let e as EngineError {
            throw e
        } catch {
            throw EngineError(.tokenUnavailable, "\(error)")
        }
    }

    /// A random PIN of `length` hexadecimal digits (dev states, and interim PINs).
    public static func randomPIN(length: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in "0123456789abcdef".randomElement(using: &g)! })
    }

    /// A throwaway PIN as long as `pin` and different from it: what the SO sets before the user
    /// changes it to the real one.
    static func interimPIN(like pin: String) -> String {
        while true {
            let p = randomPIN(length: pin.utf8.count)
            if p != pin { return p }
        }
    }

    /// Writes a SoftHSM2 configuration whose token directory is `tokenDir` and points
    /// SOFTHSM2_CONF at it (read at C_Initialize, so call this before loading the module).
    public static func configureSoftHSM(stateDir: String) throws -> String {
        let tokenDir = (stateDir as NSString).appendingPathComponent("tokens")
        try FileManager.default.createDirectory(atPath: tokenDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(tokenDir, 0o700)
        let conf = (stateDir as NSString).appendingPathComponent("softhsm2.conf")
        try "directories.tokendir = \(tokenDir)\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
            .write(toFile: conf, atomically: true, encoding: .utf8)
        chmod(conf, 0o600)
        setenv("SOFTHSM2_CONF", conf, 1)
        return conf
    }
}
