import Foundation
import GRDB
import Testing
import WharfSpawn
import WharfTestSupport

/// `wharf outbox` through the real binary: init, status --json, a relay in the background
/// stopped with SIGTERM, retry-dead, and the one-line errors.
@Suite(.endToEnd) struct OutboxCLITests {
    static func statusJSON(_ db: String) async throws -> [String: Int] {
        let r = try await WharfProcess.run(["outbox", "status", "--db", db, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Int] ?? [:]
    }

    @Test func initStatusRelayUntilSigtermAndRetryDead() async throws {
        let dir = TempDir()
        let db = "sqlite:\(dir.path)/app.db"
        var r = try await WharfProcess.run(["outbox", "init", "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("outbox table 'outbox' ready"))
        #expect(try await WharfProcess.run(["outbox", "init", "--db", db]).status == 0, "init is idempotent")
        #expect(try await Self.statusJSON(db) == ["pending": 0, "oldestPendingAgeMs": 0, "published": 0, "dead": 0, "failures": 0])

        // The application's rows, Debezium's five columns only; one with an aggregate type that
        // makes no valid topic name, so it dies after one attempt.
        let app = try DatabaseQueue(path: dir.path + "/app.db")
        try await app.write { db in
            for (id, type, agg) in [("e1", "order", "o1"), ("e2", "order", "o2"), ("e3", "bad type", "x")] {
                try db.execute(sql: "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES (?, ?, ?, 'created', '{}')",
                               arguments: [id, type, agg])
            }
        }
        try app.close()
        var s = try await Self.statusJSON(db)
        #expect(s["pending"] == 3 && s["published"] == 0)

        let relay = try ChildProcess([WharfProcess.binary, "outbox", "relay", "--db", db, "--data", dir.path + "/data", "--max-attempts", "1",
                                      "--poll-interval-ms", "20"], stdout: .pipe, stderr: .pipe)
        async let errors = ChildProcess.readToEnd(relay.standardError!)
        let deadline = Date().addingTimeInterval(30)
        repeat {
            s = try await Self.statusJSON(db)
            if s["published"] == 2 && s["dead"] == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        } while Date() < deadline && relay.isRunning
        #expect(s == ["pending": 0, "oldestPendingAgeMs": 0, "published": 2, "dead": 1, "failures": 0])
        relay.terminate()
        let stdout = String(decoding: await ChildProcess.readToEnd(relay.standardOutput!), as: UTF8.self)
        let stderr = String(decoding: await errors, as: UTF8.self)
        #expect(await relay.exit() == .exited(0), "\(stderr)")
        #expect(stdout.contains("stopped on SIGTERM: published 2"), "\(stdout)")

        r = try await WharfProcess.run(["consume", "outbox.event.order", "--data", dir.path + "/data", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let ids = try r.lines.map { line -> String in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let headers = o["headers"] as! [[String: Any]]
            return headers.first { $0["key"] as? String == "id" }?["value"] as? String ?? ""
        }
        #expect(ids.sorted() == ["e1", "e2"])

        r = try await WharfProcess.run(["outbox", "status", "--db", db])
        #expect(r.stdout.contains("e3") && r.stdout.contains("bad type/x"), "dead rows are listed: \(r.stdout)")
        r = try await WharfProcess.run(["outbox", "retry-dead", "--db", db])
        #expect(r.status == 0 && r.stdout.contains("1 dead row made pending again"), "\(r.stdout) \(r.stderr)")
        s = try await Self.statusJSON(db)
        #expect(s["pending"] == 1 && s["dead"] == 0 && s["published"] == 2)
    }

    /// `wharf trace --outbox`: the trace starts at the event's row, pending (nothing published
    /// yet) or published (then the record carrying its `id` header follows).
    @Test func traceStartsAtTheOutboxRow() async throws {
        let dir = TempDir()
        let db = "sqlite:\(dir.path)/app.db"
        let d = ["--data", dir.path + "/data"]
        #expect(try await WharfProcess.run(["outbox", "init", "--db", db]).status == 0)
        let app = try DatabaseQueue(path: dir.path + "/app.db")
        try await app.write { db in
            for id in ["e1", "e2"] {
                try db.execute(sql: "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES (?, 'order', ?, 'created', '{}')",
                               arguments: [id, "o-\(id)"])
            }
            try db.execute(sql: "UPDATE outbox SET published_at = 1800000000000 WHERE id = 'e2'")
        }
        try app.close()
        #expect(try await WharfProcess.run(["topic", "create", "outbox.event.order", "--partitions", "1"] + d).status == 0)
        #expect(try await WharfProcess.run(["produce", "outbox.event.order", "--header", "id=e2"] + d, stdin: "{}\n").status == 0)
        struct Trace: Decodable {
            struct Row: Decodable { var outbox: String?; var id: String; var status: String; var aggregateId: String }
            struct Hop: Decodable { var topic: String; var offset: Int64 }
            var outbox: Row?
            var hops: [Hop]
            var now: String
        }
        var r = try await WharfProcess.run(["trace", "e1", "--outbox", db, "--json"] + d)
        #expect(r.status == 0, "\(r)")
        var trace = try JSONDecoder().decode(Trace.self, from: Data(r.stdout.utf8))
        #expect(trace.outbox?.status == "pending" && trace.outbox?.outbox == "app.db" && trace.outbox?.aggregateId == "o-e1" && trace.hops.isEmpty)
        #expect(trace.now == "outbox row e1 is pending: not published yet")
        r = try await WharfProcess.run(["trace", "outbox.event.order/0/0", "--outbox", db, "--json"] + d)
        trace = try JSONDecoder().decode(Trace.self, from: Data(r.stdout.utf8))
        #expect(trace.outbox?.id == "e2" && trace.outbox?.status == "published" && trace.hops.map(\.offset) == [0], "\(r.stdout)")
        r = try await WharfProcess.run(["trace", "e2", "--outbox", db] + d)
        #expect(r.stdout.contains("outbox app.db row e2 (order/o-e2 created): published 2027-01-15T08:00:00"), "\(r.stdout)")
        let missing = try await WharfProcess.run(["trace", "e1", "--outbox", "sqlite:\(dir.path)/none.db"] + d)
        #expect(missing.status != 0 && missing.stderr.split(separator: "\n").count == 1, "\(missing)")
    }

    @Test func errorsAreOneLine() async throws {
        let dir = TempDir()
        let cases: [([String], String)] = [
            (["outbox", "status", "--db", "mysql://h/db"], "bad database URL"),
            (["outbox", "status", "--db", "sqlite:"], "bad database URL"),
            (["outbox", "status", "--db", "postgres://h/db"], "names no user"),
            (["outbox", "status", "--db", "sqlite:\(dir.path)/missing.db"], "no SQLite database at"),
            (["outbox", "relay", "--db", "sqlite:\(dir.path)/missing.db", "--data", dir.path + "/d"], "no SQLite database at"),
            (["outbox", "init", "--db", "sqlite:\(dir.path)/app.db", "--table", "x;y"], "invalid table name"),
            (["outbox", "retry-dead", "--db", "postgres://u@127.0.0.1:1/db"], "cannot reach database"),
        ]
        for (args, message) in cases {
            let r = try await WharfProcess.run(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        try await WharfProcess.run(["outbox", "init", "--db", "sqlite:\(dir.path)/app.db"])
        let r = try await WharfProcess.run(["outbox", "status", "--db", "sqlite:\(dir.path)/app.db", "--table", "events"])
        #expect(r.status != 0 && r.stderr.contains("no outbox table 'events'") && r.stderr.contains("--table events"), "\(r.stderr)")
    }
}

/// `wharf outbox` against a real PostgreSQL server.
@Suite(.endToEnd) struct OutboxPostgresCLITests {
    @Test func initStatusRelayAndRetryDeadOnPostgres() async throws {
        let url = try PostgresTestCluster.url()
        let dir = TempDir()
        let table = "cli_\(UUID().uuidString.prefix(8).lowercased())"
        let db = ["--db", url, "--table", table]
        var r = try await WharfProcess.run(["outbox", "status"] + db)
        #expect(r.status != 0 && r.stderr.contains("no outbox table '\(table)'"), "\(r.stderr)")
        r = try await WharfProcess.run(["outbox", "init"] + db)
        #expect(r.status == 0 && r.stdout.contains("outbox table '\(table)' ready"), "\(r.stderr)")
        func status() async throws -> [String: Int] {
            let r = try await WharfProcess.run(["outbox", "status", "--json"] + db)
            #expect(r.status == 0, "\(r.stderr)")
            return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Int] ?? [:]
        }
        #expect(try await status() == ["pending": 0, "oldestPendingAgeMs": 0, "published": 0, "dead": 0, "failures": 0])

        // The application's rows go in through psql (Debian's postgresql package brings it).
        let psql = "/usr/bin/psql"
        try #require(FileManager.default.isExecutableFile(atPath: psql), "psql is needed to write rows")
        do {
            let insert = try await ChildProcess.run([psql, url, "-q", "-c", """
                INSERT INTO \(table) (id, aggregatetype, aggregateid, type, payload) VALUES
                  ('00000000-0000-4000-8000-000000000001', 'order', 'o1', 'created', '{}'),
                  ('00000000-0000-4000-8000-000000000002', 'bad type', 'x', 'created', '{}')
                """], timeout: .seconds(60))
            #expect(insert.termination == .exited(0), "\(String(decoding: insert.standardError, as: UTF8.self))")
            #expect(try await status()["pending"] == 2)
            let relay = try ChildProcess([WharfProcess.binary, "outbox", "relay", "--data", dir.path + "/data", "--max-attempts", "1",
                                          "--poll-interval-ms", "20"] + db, stdout: .null, stderr: .null)
            let deadline = Date().addingTimeInterval(30)
            var s: [String: Int] = [:]
            repeat {
                s = try await status()
                if s["published"] == 1 && s["dead"] == 1 { break }
                try await Task.sleep(for: .milliseconds(50))
            } while Date() < deadline && relay.isRunning
            #expect(s == ["pending": 0, "oldestPendingAgeMs": 0, "published": 1, "dead": 1, "failures": 0])
            relay.terminate()
            #expect(await relay.exit() == .exited(0))
            r = try await WharfProcess.run(["outbox", "retry-dead"] + db)
            #expect(r.stdout.contains("1 dead row made pending again"), "\(r.stdout) \(r.stderr)")
            #expect(try await status()["pending"] == 1)
        }
    }
}
