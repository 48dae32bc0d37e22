import KMIP
import KMIPEngine

/// A Locate query compiled to one WHERE clause over indexed columns (KMIP 2.1 §6.1.28): object
/// columns for owner, type and state; an EXISTS probe per other attribute; two values of one date
/// attribute form an inclusive range. The same query in each store's SQL dialect.
public struct LocateSQL: Sendable {
    public var whereClause: String
    public var arguments: [SQLValue]
    public let dialect: SQLDialect

    public init(_ q: LocateQuery, dialect: SQLDialect = .sqlite) {
        self.dialect = dialect
        whereClause = ""
        arguments = []
        var clauses = ["o.committed = 1"]
        if let owner = q.owner {
            // The caller's own objects, and those whose grant to it (or to everyone) names Locate. Grant
            // values are canonical "identity|Op,Op" (Grant.text): a range on the indexed text column
            // finds this identity's grants, the operation list is matched whole-word. The two ranges
            // are two subqueries: OR-ed in one, SQLite would read every grant row.
            let ops = "',' || substr(g.text, \(dialect.find("g.text", "'|'")) + 1) || ','"
            // The grant attribute's name is written as a literal (a constant of ours, no quote in it): a
            // partial index on grants (PostgreSQL) is only chosen when the query names it literally.
            func grants(_ who: String) -> String {
                "SELECT g.uid FROM attributes g WHERE g.name = '\(Grant.attributeName)' "
                    + "AND g.text >= \(bind(.text(who + "|"))) AND g.text < \(bind(.text(who + "}"))) "
                    + "AND (\(dialect.find(ops, "',Locate,'")) > 0 OR \(dialect.find(ops, "',*,'")) > 0)"
            }
            let mine = "o.owner = \(bind(.text(owner)))"
            clauses.append("(\(mine) OR o.uid IN (\(grants(owner)) UNION ALL \(grants("*"))))")
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
            let name = SQLValue.text(values[0].name)
            switch key {
            case .tag(.state):
                for v in values { clauses.append("o.state = \(bind(.int(Int64(v.value.enumValue ?? 0))))") }
            case .tag(.objectType):
                for v in values { clauses.append("o.object_type = \(bind(.int(Int64(v.value.enumValue ?? 0))))") }
            default:
                let dates = values.compactMap { $0.value.dateSeconds }
                if dates.count == 2 {
                    clauses.append("EXISTS (SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = \(bind(name)) "
                                   + "AND a.num BETWEEN \(bind(.int(dates.min()!))) AND \(bind(.int(dates.max()!))))")
                    continue
                }
                for v in values { clauses.append(probe(v, name: name, key: key)) }
            }
        }
        whereClause = clauses.joined(separator: " AND ")
    }

    /// One attribute value the objects must carry.
    private mutating func probe(_ v: Attribute, name: SQLValue, key: Attribute.Key) -> String {
        if key == .tag(.name), let text = v.value.first(.nameValue)?.text {
            // A name is nearly unique: written as IN, it drives the query from the name index, so
            // Locate by name costs the same among a thousand objects or a million (an EXISTS probe
            // would be checked for every object of the owner). A Name Type, if given, must match too.
            var probe = "SELECT a.uid FROM attributes a WHERE a.name = \(bind(name)) AND a.text = \(bind(.text(text)))"
            for field in v.value.children where field.tag != .nameValue { probe += " AND \(contains(field))" }
            return "o.uid IN (\(probe))"
        }
        var probe = "SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = \(bind(name))"
        if key == .tag(.cryptographicUsageMask), case .integer(let bits) = v.value.value {
            // KMIP 2.1 §6.1.28: an object matches when its mask has every bit asked for.
            let mask = Int64(UInt32(bitPattern: bits))
            probe += " AND (a.num & \(bind(.int(mask)))) = \(bind(.int(mask)))"
        } else if key == .tag(.usageLimits) {
            // Objects with at least the Count and Total asked for (KMIP 2.1 §6.1.28).
            if let count = v.value.first(.usageLimitsCount)?.int64 { probe += " AND a.num >= \(bind(.int(count)))" }
            if let total = v.value.first(.usageLimitsTotal)?.int64 { probe += " AND a.text >= \(bind(.text(AttributeRow.sortable(total))))" }
            if let unit = v.value.first(.usageLimitsUnit) { probe += " AND \(contains(unit))" }
        } else if case .structure(let fields) = v.value.value {
            // A structure matches on the fields given (a Link without its type, Application Specific
            // Information with only its namespace): each given field, encoded whole with its tag, must
            // appear in the stored value.
            for field in fields { probe += " AND \(contains(field))" }
        } else {
            probe += " AND a.value = \(bind(.blob(AttributeRow(v).value)))"
        }
        return "EXISTS (\(probe))"
    }

    /// The stored value holds this field, encoded whole.
    private mutating func contains(_ field: TTLV) -> String {
        "\(dialect.find("a.value", bind(.blob(TTLVEncoder.encode(field))))) > 0"
    }

    /// Appends a bound argument and returns its placeholder.
    private mutating func bind(_ v: SQLValue) -> String {
        arguments.append(v)
        return dialect.placeholder(arguments.count)
    }

    /// `SELECT uid …` of one page, newest first, and its arguments; `withTotal` adds a second column,
    /// the count of every match (a window function), so one statement answers both.
    public func page(maxItems: Int?, offset: Int, withTotal: Bool = false) -> (sql: String, arguments: [SQLValue]) {
        var args = arguments
        args.append(maxItems.map { .int(Int64($0)) } ?? dialect.noLimit)
        let limit = dialect.placeholder(args.count)
        args.append(.int(Int64(offset)))
        let columns = withTotal ? "uid, count(*) OVER ()" : "uid"
        let sql = "SELECT \(columns) FROM objects o WHERE \(whereClause) ORDER BY \(dialect.insertionOrder) DESC LIMIT \(limit) OFFSET \(dialect.placeholder(args.count))"
        return (sql, args)
    }

    /// How many objects match in all.
    public var countSQL: String { "SELECT COUNT(*) FROM objects o WHERE \(whereClause)" }
}

/// A value bound to a statement, in either store.
public enum SQLValue: Sendable, Equatable {
    case int(Int64), text(String), blob([UInt8]), null
}

/// Where SQLite and PostgreSQL spell the same thing differently.
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The n-th (1-based) parameter.
    public func placeholder(_ n: Int) -> String { self == .sqlite ? "?" : "$\(n)" }

    /// 1-based position of `needle` in `haystack`, 0 when absent (text or bytes).
    func find(_ haystack: String, _ needle: String) -> String {
        self == .sqlite ? "instr(\(haystack), \(needle))" : "position(\(needle) in \(haystack))"
    }

    /// Objects in the order they were written (newest last).
    var insertionOrder: String { self == .sqlite ? "o.rowid" : "o.seq" }

    /// A LIMIT argument that means none (SQLite: -1; PostgreSQL: NULL).
    var noLimit: SQLValue { self == .sqlite ? .int(-1) : .null }
}
