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

    /// Why a connection could not be made, naming `sslmode` when TLS was the reason.
    static func connectMessage(_ error: any Error, sslMode: PostgresSSLMode) -> String {
        guard let e = unwrap(error) as? PSQLError else { return message(error) }
        switch e.code {
        case .sslUnsupported:
            return "the server does not accept TLS connections, and sslmode=\(sslMode.rawValue) refuses plaintext"
        case .failedToAddSSLHandler:
            return "TLS could not be set up (sslmode=\(sslMode.rawValue)): \(message(error))"
        default:
            return message(error)
        }
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
