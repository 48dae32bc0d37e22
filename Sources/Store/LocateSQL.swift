import Foundation
import GRDB
import KMIP
import KMIPEngine

/// A Locate query compiled to one WHERE clause over indexed columns (KMIP 2.1 §6.1.27): object
/// columns for owner, type and state; an EXISTS probe per other attribute; two values of one date
/// attribute form an inclusive range.
struct LocateSQL {
    var whereClause: String
    var arguments: [DatabaseValue]

    init(_ q: LocateQuery) {
        var clauses = ["o.committed = 1"]
        var args = [DatabaseValue]()
        if let owner = q.owner {
            // The caller's own objects, and those whose grant to it (or to everyone) names Locate. Grant
            // values are canonical "identity|Op,Op" (Grant.text): a range on the indexed text column
            // finds this identity's grants, the operation list is matched whole-word. The two ranges
            // are two subqueries: OR-ed in one, SQLite would read every grant row.
            let ops = "',' || substr(g.text, instr(g.text, '|') + 1) || ','"
            let grants = """
                SELECT g.uid FROM attributes g WHERE g.name = ? AND g.text >= ? AND g.text < ? \
                AND (instr(\(ops), ',Locate,') > 0 OR instr(\(ops), ',*,') > 0)
                """
            clauses.append("(o.owner = ? OR o.uid IN (\(grants) UNION ALL \(grants)))")
            args += [owner.databaseValue,
                     Grant.attributeName.databaseValue, (owner + "|").databaseValue, (owner + "}").databaseValue,
                     Grant.attributeName.databaseValue, "*|".databaseValue, "*}".databaseValue]
        }
        if !q.includeDestroyed { clauses.append("o.state NOT IN (\(SQLState.destroyed), \(SQLState.destroyedCompromised))") }
        var byKey = [Attribute.Key: [Attribute]]()
        var order = [Attribute.Key]()
        for f in q.filters {
            if byKey[f.key] == nil { order.append(f.key) }
            byKey[f.key, default: []].append(f)
        }
        for key in order {
            let values = byKey[key]!
            let name = values[0].name
            switch key {
            case .tag(.state):
                for v in values { clauses.append("o.state = ?"); args.append(Int64(v.value.enumValue ?? 0).databaseValue) }
            case .tag(.objectType):
                for v in values { clauses.append("o.object_type = ?"); args.append(Int64(v.value.enumValue ?? 0).databaseValue) }
            default:
                let dates = values.compactMap { $0.value.dateSeconds }
                if dates.count == 2 {
                    clauses.append("EXISTS (SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = ? AND a.num BETWEEN ? AND ?)")
                    args += [name.databaseValue, dates.min()!.databaseValue, dates.max()!.databaseValue]
                    continue
                }
                for v in values {
                    if key == .tag(.name), let text = v.value.first(.nameValue)?.text {
                        // A name is nearly unique: written as IN, it drives the query from the name index,
                        // so Locate by name costs the same among a thousand objects or a million (an EXISTS
                        // probe would be checked for every object of the owner). A Name Type, if given,
                        // must match too.
                        var probe = "SELECT a.uid FROM attributes a WHERE a.name = ? AND a.text = ?"
                        args += [name.databaseValue, text.databaseValue]
                        for field in v.value.children where field.tag != .nameValue {
                            probe += " AND instr(a.value, ?) > 0"
                            args.append(Data(TTLVEncoder.encode(field)).databaseValue)
                        }
                        clauses.append("o.uid IN (\(probe))")
                    } else if key == .tag(.cryptographicUsageMask), case .integer(let bits) = v.value.value {
                        // KMIP 2.1 §6.1.27: an object matches when its mask has every bit asked for.
                        clauses.append("EXISTS (SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = ? AND (a.num & ?) = ?)")
                        args += [name.databaseValue, Int64(UInt32(bitPattern: bits)).databaseValue, Int64(UInt32(bitPattern: bits)).databaseValue]
                    } else if key == .tag(.usageLimits) {
                        // Objects with at least the Count and Total asked for (KMIP 2.1 §6.1.28).
                        var probe = "SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = ?"
                        args.append(name.databaseValue)
                        if let count = v.value.first(.usageLimitsCount)?.int64 { probe += " AND a.num >= ?"; args.append(count.databaseValue) }
                        if let total = v.value.first(.usageLimitsTotal)?.int64 { probe += " AND a.text >= ?"; args.append(AttributeRow.sortable(total).databaseValue) }
                        if let unit = v.value.first(.usageLimitsUnit) { probe += " AND instr(a.value, ?) > 0"; args.append(Data(TTLVEncoder.encode(unit)).databaseValue) }
                        clauses.append("EXISTS (\(probe))")
                    } else if case .structure(let fields) = v.value.value {
                        // A structure matches on the fields given (a Link without its type, Application
                        // Specific Information with only its namespace): each given field, encoded whole
                        // with its tag, must appear in the stored value.
                        var probe = "SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = ?"
                        args.append(name.databaseValue)
                        for field in fields {
                            probe += " AND instr(a.value, ?) > 0"
                            args.append(Data(TTLVEncoder.encode(field)).databaseValue)
                        }
                        clauses.append("EXISTS (\(probe))")
                    } else {
                        let row = AttributeRow(v)
                        clauses.append("EXISTS (SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = ? AND a.value = ?)")
                        args += [name.databaseValue, Data(row.value).databaseValue]
                    }
                }
            }
        }
        whereClause = clauses.joined(separator: " AND ")
        arguments = args
    }
}
