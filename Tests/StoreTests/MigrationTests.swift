import Foundation
import GRDB
import KMIP
import KMIPTestSupport
@testable import Store
import StoreSQL
import Testing

/// Migrations on a store file made by an earlier build.
@Suite struct MigrationTests {
    /// v3: Usage Limits Count went from units used to units remaining (KMIP 2.1 §4.59), with the columns
    /// Locate compares.
    @Test func usageLimitsCountBecomesWhatRemains() throws {
        let queue = try DatabaseQueue(path: TestHSM.databasePath())
        try Schema.migrator.migrate(queue, upTo: "v2: store identity and token binding")
        let old = TTLV.structure(.attributeValue, [TTLV(.usageLimitsTotal, .longInteger(10)), TTLV(.usageLimitsUnit, .enumeration(UsageLimitsUnit.object.rawValue)),
                                                   TTLV(.usageLimitsCount, .longInteger(3))])
        try queue.write { db in
            try db.execute(sql: "INSERT INTO objects (uid, object_type, owner, state, committed) VALUES ('k', 2, 'o', 1, 1)")
            try db.execute(sql: "INSERT INTO attributes (uid, position, name, value) VALUES ('k', 0, 'Usage Limits', ?)",
                           arguments: [Data(TTLVEncoder.encode(old))])
        }
        try Schema.migrator.migrate(queue)
        let row = try #require(try queue.read { db in try Row.fetchOne(db, sql: "SELECT value, num, text FROM attributes WHERE uid = 'k'") })
        let value = try TTLVDecoder(limits: TTLVLimits()).decode(Array(row["value"] as Data))
        #expect(value.first(.usageLimitsCount)?.int64 == 7 && value.first(.usageLimitsTotal)?.int64 == 10)
        #expect(row["num"] as Int64? == 7 && row["text"] as String? == AttributeRow.sortable(10))
    }
}
