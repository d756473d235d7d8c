/// Errors of the outbox, each a one-line message fit to print.
public enum OutboxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `--db` value is neither `sqlite:PATH` nor `postgres://...`, or is incomplete.
    case badURL(String)
    case invalidTableName(String)
    /// The outbox table does not exist (run `wharf outbox init`).
    case missingTable(table: String, database: String)
    case missingDatabase(String)
    /// The database could not be reached or opened.
    case unreachable(database: String, reason: String)
    case database(String)

    public var description: String {
        switch self {
        case .badURL(let why): "bad database URL: \(why) (expected sqlite:PATH or postgres://USER@HOST:PORT/DB)"
        case .invalidTableName(let t):
            "invalid table name '\(t)': use letters, digits and '_' (optionally schema.table), not starting with a digit"
        case .missingTable(let t, let db):
            "no outbox table '\(t)' in \(db) (create it with: wharf outbox init --db \(db)\(t == "outbox" ? "" : " --table \(t)"))"
        case .missingDatabase(let path): "no SQLite database at \(path) (create it with: wharf outbox init --db sqlite:\(path))"
        case .unreachable(let db, let reason): "cannot reach database \(db): \(reason)"
        case .database(let why): "database error: \(why)"
        }
    }
}

/// A SQL identifier for a table: `name` or `schema.name`, checked then quoted, because table
/// names are interpolated into SQL (they cannot be bound as parameters).
public struct TableName: Sendable, Equatable, CustomStringConvertible {
    public let raw: String
    /// Double-quoted, per part.
    public let quoted: String
    /// Safe for index names: dots become underscores.
    let flat: String

    public init(_ raw: String) throws(OutboxError) {
        let parts = raw.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isIdentifier) else { throw .invalidTableName(raw) }
        self.raw = raw
        quoted = parts.map { "\"\($0)\"" }.joined(separator: ".")
        flat = parts.joined(separator: "_")
    }

    public var description: String { raw }

    private static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, s.count <= 63 else { return false }
        let ok = { (c: Unicode.Scalar) in c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        return !("0"..."9").contains(first) && s.unicodeScalars.allSatisfy(ok)
    }
}
