import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Check (KMIP 2.1 §6.1.7; 1.4 §4.10): would the object allow this use? Answers what it would not.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask whether an object may be used: a usage, a number of uses, a lease time.",
        discussion: """
            The server answers with the fields that would not be allowed; a refusal is an error.

            Example:
              kmip check UID --usage Encrypt --uses 10
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Option(help: "Cryptographic Usage Mask to check, names comma separated.") var usage: String?
    @Option(help: "Usage Limits Count to check.") var uses: Int64?
    @Option(help: "Lease Time to check: seconds, or 15m, 12h, 30d.") var leaseTime: String?
    func run() async throws {
        var fields = [TTLV]()
        if let uses {
            guard uses >= 0 else { throw ValidationError("--uses must not be negative") }
            fields.append(TTLV(.usageLimitsCount, .longInteger(uses)))
        }
        if let usage { fields.append(TTLV(.cryptographicUsageMask, .integer(Int32(bitPattern: try usageMask(usage))))) }
        if let leaseTime { fields.append(try typed(leaseTime, .leaseTime)) }
        try await perform(connection, .check) { c in try await c.simple(.check, uid: uid, fields) }
    }
}

/// Obtain Lease (KMIP 2.1 §6.1.35; 1.4 §4.17).
struct ObtainLease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "obtain-lease",
                                                    abstract: "Obtain a lease to use an object's value for a while (its Lease Time).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    func run() async throws { try await perform(connection, .obtainLease) { c in try await c.simple(.obtainLease, uid: uid) } }
}

/// Get Usage Allocation (KMIP 2.1 §6.1.23; 1.4 §4.18).
struct GetUsageAllocation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get-usage-allocation",
                                                    abstract: "Reserve uses of an object whose Usage Limits count them.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Unique Identifier.") var uid: String
    @Option(help: "How many Usage Limits Units to reserve.") var count: Int64
    func run() async throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        try await perform(connection, .getUsageAllocation) { c in
            try await c.simple(.getUsageAllocation, uid: uid, [TTLV(.usageLimitsCount, .longInteger(count))])
        }
    }
}
