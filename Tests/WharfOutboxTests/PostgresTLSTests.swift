import Foundation
import Logging
import PostgresNIO
import Testing
import WharfCore
@testable import WharfOutbox

/// TLS (`sslmode`) and the password sources other than the URL, against real servers: the
/// shared test server (no TLS, trust auth) and a cluster of this suite's own with SCRAM
/// passwords and TLS (`PostgresTLSCluster`).
@Suite(.serialized) struct PostgresTLSTests {
    static let logger = Logger(label: "test")

    static func connect(_ url: PostgresURL) async throws -> PostgresOutboxStore {
        try await PostgresOutboxStore.connect(url, clock: ManualClock(0), logger: logger)
    }

    /// Whether the store's connection runs over TLS, as the server sees it.
    static func usesTLS(_ store: PostgresOutboxStore) async throws -> Bool {
        for try await ssl in try await store.client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: logger).decode(Bool.self) {
            return ssl
        }
        return false
    }

    static func reason(_ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return "connected"
        } catch let e as OutboxError {
            return e.description
        } catch {
            return "\(error)"
        }
    }

    @Test func requireAgainstAServerWithoutTLSFailsWithOneClearErrorWhilePreferFallsBack() async throws {
        var url = try PostgresTestServer.url()
        url.sslMode = .require
        let refused = await Self.reason { _ = try await Self.connect(url) }
        #expect(refused.contains("the server does not accept TLS connections, and sslmode=require refuses plaintext"), "\(refused)")
        for mode: PostgresSSLMode in [.prefer, .disable] {
            url.sslMode = mode
            let store = try await Self.connect(url)
            #expect(try await Self.usesTLS(store) == false, "\(mode)")
            try await store.close()
        }
    }

    @Test func passwordsFromTheEnvironmentOrAPassfileAndTLSWithAndWithoutVerification() async throws {
        let cluster = try PostgresTLSCluster()
        defer { cluster.stop() }
        let none = ["HOME": cluster.dir + "/nowhere"]

        // No password anywhere: the server refuses (SCRAM), and a wrong one too.
        let plain = try PostgresURL(parsing: cluster.url())
        let missing = await Self.reason { _ = try await Self.connect(try plain.resolvingPassword(environment: none)) }
        #expect(missing.hasPrefix("cannot reach database"), "\(missing)")
        let wrong = await Self.reason { _ = try await Self.connect(try PostgresURL(parsing: cluster.url(password: "nope"))) }
        #expect(wrong.contains("password authentication failed"), "\(wrong)")

        // PGPASSWORD, over TLS (sslmode=require: encrypted, the certificate not checked).
        let required = try PostgresURL(parsing: cluster.url(query: "sslmode=require"))
        var store = try await Self.connect(try required.resolvingPassword(environment: none.merging(["PGPASSWORD": PostgresTLSCluster.password]) { $1 }))
        #expect(try await Self.usesTLS(store))
        try await store.close()

        // A passfile (owner-only), named in the URL; the default sslmode (prefer) takes TLS when offered.
        let passfile = cluster.dir + "/pgpass"
        let lines = "# comment\nother:*:*:*:no\n127.0.0.1:\(cluster.port):*:\(PostgresTLSCluster.user):s3cret\\:with\\\\colon\n"
        #expect(FileManager.default.createFile(atPath: passfile, contents: Data(lines.utf8), attributes: [.posixPermissions: 0o600]))
        let viaFile = try PostgresURL(parsing: cluster.url(query: "passfile=\(passfile)"))
        #expect(try viaFile.resolvingPassword(environment: none).password == PostgresTLSCluster.password)
        store = try await Self.connect(try viaFile.resolvingPassword(environment: none))
        #expect(try await Self.usesTLS(store))
        try await store.close()
        // PGPASSFILE names it too; a file others can read is refused with the reason.
        #expect(try plain.resolvingPassword(environment: none.merging(["PGPASSFILE": passfile]) { $1 }).password == PostgresTLSCluster.password)
        chmod(passfile, 0o644)
        #expect(throws: OutboxError.badURL("password file \(passfile) is readable by others (mode 644); chmod 600 it")) {
            try viaFile.resolvingPassword(environment: none)
        }

        // verify-full: the self-signed certificate is trusted only through sslrootcert, and names localhost.
        let secret = cluster.url(host: "localhost", password: PostgresTLSCluster.password, query: "sslmode=verify-full&sslrootcert=\(cluster.certificate)")
        store = try await Self.connect(try PostgresURL(parsing: secret))
        #expect(try await Self.usesTLS(store))
        try await store.close()
        let untrusted = await Self.reason {
            _ = try await Self.connect(try PostgresURL(parsing: cluster.url(host: "localhost", password: PostgresTLSCluster.password, query: "sslmode=verify-full")))
        }
        #expect(untrusted.hasPrefix("cannot reach database"), "\(untrusted)")
    }
}
