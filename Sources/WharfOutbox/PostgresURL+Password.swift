#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where the password comes from when the URL has none, so it need not be on the command line
/// (where `ps` and `/proc/*/cmdline` show it to every local user, and shell history keeps it).
/// libpq's order: the URL's password; else `PGPASSWORD`; else the first matching line of the
/// password file: the URL's `passfile=`, else `PGPASSFILE`, else `~/.pgpass`. Like libpq, a
/// password file others can read is not used: a named one (`passfile=`, `PGPASSFILE`) is then an
/// error saying why, so the operator learns why no password was sent; an implicit `~/.pgpass` is
/// skipped, as libpq skips it, so a server that needs no password is still reached.
extension PostgresURL {
    public func resolvingPassword(environment: [String: String] = ProcessInfo.processInfo.environment) throws(OutboxError) -> PostgresURL {
        guard password == nil else { return self }
        var resolved = self
        if let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty {
            resolved.password = fromEnvironment
            return resolved
        }
        let explicit = passfile ?? environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = explicit ?? environment["HOME"].map({ $0 + "/.pgpass" }) else { return self }
        var st = stat()
        guard stat(path, &st) == 0 else {
            if explicit != nil { throw .badURL("password file \(path) cannot be read: \(String(cString: strerror(errno)))") }
            return self
        }
        guard st.st_mode & 0o077 == 0 else {
            if explicit == nil { return self }
            throw .badURL("password file \(path) is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .badURL("password file \(path) cannot be read")
        }
        resolved.password = PostgresPassFile.password(in: text, host: host, port: port, database: database, user: user)
        return resolved
    }
}

/// The `.pgpass` format: `hostname:port:database:username:password` per line, `*` matching
/// anything in the first four fields, `\:` and `\\` escaping, `#` starting a comment line.
enum PostgresPassFile {
    static func password(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.fields(of: line)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// `line` split at unescaped colons, escapes removed.
    static func fields(of line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for ch in line {
            if escaped {
                current.append(ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        fields.append(current)
        return fields
    }
}
