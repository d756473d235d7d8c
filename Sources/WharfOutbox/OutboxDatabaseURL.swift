import Foundation

/// The `--db` argument: `sqlite:PATH` or `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (`postgresql://` too).
public enum OutboxDatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    public init(parsing text: String) throws(OutboxError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }  // sqlite:///abs/path
            guard !path.isEmpty else { throw .badURL("'\(text)' has no file path after 'sqlite:'") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresURL(parsing: text))
        } else {
            throw .badURL("'\(text)' is neither sqlite:PATH nor postgres://...")
        }
    }

    /// Printable, without the password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let u): u.description
        }
    }
}

/// The parts of a PostgreSQL URL, with libpq's query parameters Wharf honours:
/// `sslmode` (`disable`, `allow`, `prefer` (the default, as in libpq), `require`, `verify-ca`,
/// `verify-full`; see `PostgresSSLMode`), `sslrootcert` (a PEM file of trusted CAs for the
/// verify modes; the system's roots otherwise) and `passfile` (see `resolvingPassword`).
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: PostgresSSLMode
    public var sslRootCert: String?
    public var passfile: String?

    /// Whether a connection without TLS is refused.
    public var requireTLS: Bool { sslMode.requiresTLS }

    public init(parsing text: String) throws(OutboxError) {
        guard let c = URLComponents(string: text) else { throw .badURL("'\(text)' is not a URL") }
        guard let host = c.host, !host.isEmpty else { throw .badURL("'\(text)' names no host") }
        guard let user = c.user, !user.isEmpty else { throw .badURL("'\(text)' names no user (postgres://USER@HOST/DB)") }
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !db.isEmpty, !db.contains("/") else { throw .badURL("'\(text)' names no database (postgres://USER@HOST/DB)") }
        if let p = c.port, !(1...65535).contains(p) { throw .badURL("'\(text)' has port \(p) out of range") }
        self.host = host
        self.port = c.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = c.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = db
        let query = c.queryItems ?? []
        func value(_ name: String) -> String? { query.last { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0 } }
        if let mode = value("sslmode") {
            guard let parsed = PostgresSSLMode(rawValue: mode) else {
                throw .badURL("sslmode=\(mode) is not one of \(PostgresSSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            sslMode = parsed
        } else {
            sslMode = .prefer
        }
        sslRootCert = value("sslrootcert")
        passfile = value("passfile")
    }

    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}
