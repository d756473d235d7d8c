import Foundation
import Testing
@testable import WharfOutbox

@Suite struct OutboxDatabaseURLTests {
    @Test func sqliteURLs() throws {
        #expect(try OutboxDatabaseURL(parsing: "sqlite:app.db") == .sqlite(path: "app.db"))
        #expect(try OutboxDatabaseURL(parsing: "sqlite:/var/db/app.db") == .sqlite(path: "/var/db/app.db"))
        #expect(try OutboxDatabaseURL(parsing: "sqlite:///var/db/app.db") == .sqlite(path: "/var/db/app.db"))
        #expect(throws: OutboxError.self) { try OutboxDatabaseURL(parsing: "sqlite:") }
    }

    @Test func postgresURLs() throws {
        let u = try PostgresURL(parsing: "postgres://app:s%40cret@db.local:6543/orders?sslmode=disable")
        #expect(u.host == "db.local" && u.port == 6543 && u.user == "app" && u.password == "s@cret" && u.database == "orders")
        #expect(!u.requireTLS && u.sslMode == .disable)
        #expect(u.description == "postgres://app@db.local:6543/orders", "no password in what is printed")
        let d = try PostgresURL(parsing: "postgresql://app@localhost/orders")
        #expect(d.port == 5432 && d.password == nil)
        #expect(try PostgresURL(parsing: "postgres://a@h/d?sslmode=require").requireTLS)
        for bad in ["postgres://h/db", "postgres://u@h", "postgres://u@/db", "postgres://u@h:99999/db", "mysql://u@h/db", "app.db"] {
            #expect(throws: OutboxError.self, "\(bad)") { try OutboxDatabaseURL(parsing: bad) }
        }
    }

    @Test func sslModesAndPasswordFileLines() throws {
        #expect(try PostgresURL(parsing: "postgres://a@h/d").sslMode == .prefer, "libpq's default")
        for mode in PostgresSSLMode.allCases {
            let u = try PostgresURL(parsing: "postgres://a@h/d?sslmode=\(mode.rawValue)&sslrootcert=/ca.pem")
            #expect(u.sslMode == mode && u.sslRootCert == "/ca.pem" && u.requireTLS == [.require, .verifyCA, .verifyFull].contains(mode))
        }
        #expect(throws: OutboxError.self) { try PostgresURL(parsing: "postgres://a@h/d?sslmode=on") }
        let file = "# c\n*:*:other:*:x\nh:5432:d:a:p\\:w\\\\d\nh:*:*:*:later\n"
        #expect(PostgresPassFile.password(in: file, host: "h", port: 5432, database: "d", user: "a") == "p:w\\d")
        #expect(PostgresPassFile.password(in: file, host: "h", port: 1, database: "d", user: "a") == "later")
        #expect(PostgresPassFile.password(in: file, host: "x", port: 5432, database: "d", user: "a") == nil)
        // The URL's password wins over PGPASSWORD, which wins over a passfile.
        let env = ["PGPASSWORD": "env", "PGPASSFILE": "/nonexistent"]
        #expect(try PostgresURL(parsing: "postgres://a:url@h/d").resolvingPassword(environment: env).password == "url")
        #expect(try PostgresURL(parsing: "postgres://a@h/d").resolvingPassword(environment: env).password == "env")
        #expect(throws: OutboxError.self) { try PostgresURL(parsing: "postgres://a@h/d").resolvingPassword(environment: ["PGPASSFILE": "/nonexistent"]) }
        #expect(try PostgresURL(parsing: "postgres://a@h/d").resolvingPassword(environment: ["HOME": "/nonexistent"]).password == nil)
        // ~/.pgpass readable by others is skipped (as libpq does); named explicitly, it is an error.
        let home = NSTemporaryDirectory() + "wharf-pgpass-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        #expect(FileManager.default.createFile(atPath: home + "/.pgpass", contents: Data("*:*:*:*:loose\n".utf8), attributes: [.posixPermissions: 0o644]))
        #expect(try PostgresURL(parsing: "postgres://a@h/d").resolvingPassword(environment: ["HOME": home]).password == nil)
        #expect(throws: OutboxError.self) { try PostgresURL(parsing: "postgres://a@h/d").resolvingPassword(environment: ["PGPASSFILE": home + "/.pgpass"]) }
        chmod(home + "/.pgpass", 0o600)
        #expect(try PostgresURL(parsing: "postgres://a@h/d").resolvingPassword(environment: ["HOME": home]).password == "loose")
    }

    @Test func tableNames() throws {
        #expect(try TableName("outbox").quoted == #""outbox""#)
        #expect(try TableName("app.outbox_v2").quoted == #""app"."outbox_v2""#)
        for bad in ["", "1abc", "a-b", "a.b.c", "a;drop", #"a"b"#, "a b"] {
            #expect(throws: OutboxError.invalidTableName(bad)) { try TableName(bad) }
        }
    }
}
