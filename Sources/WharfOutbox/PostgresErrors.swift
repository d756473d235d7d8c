import PostgresNIO

/// Readable one-line text for postgres-nio errors, whose `description` deliberately hides the
/// server's message (`String(reflecting:)` shows too much: the query and its binds).
enum PostgresErrors {
    /// The error inside a failed `withTransaction` (the closure's own error when it threw).
    static func unwrap(_ error: any Error) -> any Error {
        guard let t = error as? PostgresTransactionError else { return error }
        return t.closureError ?? t.beginError ?? t.commitError ?? t.rollbackError ?? error
    }

    static func message(_ error: any Error) -> String {
        let error = unwrap(error)
        guard let e = error as? PSQLError else { return "\(error)" }
        if let info = e.serverInfo, let message = info[.message] {
            return info[.sqlState].map { "\(message) (SQLSTATE \($0))" } ?? message
        }
        if let underlying = e.underlying { return "\(underlying)" }
        return "\(e.code)"
    }

    static func sqlState(_ error: any Error) -> String? {
        (unwrap(error) as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// No server answer at all: refused, timed out, closed, failed TLS.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        guard let e = unwrap(error) as? PSQLError else { return false }
        return e.serverInfo == nil && [.connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed,
                                       .sslUnsupported, .failedToAddSSLHandler].contains(e.code)
    }
}
