import Foundation
import GRDB
import Testing
import WharfTestSupport

/// Issue 18: `wharf serve --metrics-listen` exports what the dashboard shows for the same data
/// directory beside the topics: the queues by state (two messages held locked by the real Azure
/// Service Bus SDK over serve's AMQP listener), their dead letters, a persistent subscription's
/// lag, and an outbox named by `--metrics-outbox` (watched only, so its rows stay pending).
@Suite(.serialized, .endToEnd) struct ServeStoreMetricsTests {
    /// Receives two messages with peek-lock and holds their locks until `release` exists.
    static let lockScript = """
        import os, sys, time
        from azure.servicebus import ServiceBusClient
        conn, queue, release = sys.argv[1], sys.argv[2], sys.argv[3]
        with ServiceBusClient.from_connection_string(conn) as client:
            with client.get_queue_receiver(queue, max_wait_time=5) as r:
                held = []
                deadline = time.time() + 30
                while len(held) < 2 and time.time() < deadline:
                    held += r.receive_messages(max_message_count=2 - len(held), max_wait_time=5)
                print("locked", len(held), flush=True)
                deadline = time.time() + 60
                while not os.path.exists(release) and time.time() < deadline:
                    time.sleep(0.05)
        """

    /// The queue `jobs`: six sent, one dead-lettered, one deferred, one scheduled an hour ahead
    /// (so three active before serve starts, one once the SDK locks two); events and a subscription 3 behind; an outbox with
    /// two pending rows and one dead.
    static func prepare(_ dir: TempDir) async throws -> String {
        let d = ["--data", dir.path + "/data"]
        var r = try await WharfProcess.run(["queue", "create", "jobs", "--lock-duration", "5m"] + d)
        #expect(r.status == 0, "\(r)")
        r = try await WharfProcess.run(["queue", "send", "jobs"] + d, stdin: "a\nb\nc\nd\ne\n")
        #expect(r.status == 0, "\(r)")
        let inAnHour = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        r = try await WharfProcess.run(["queue", "send", "jobs", "--scheduled-at", inAnHour] + d, stdin: "later\n")
        #expect(r.status == 0, "\(r)")
        r = try await WharfProcess.run(["queue", "receive", "jobs", "--then", "dead-letter", "--reason", "Poison"] + d)
        #expect(r.status == 0, "\(r)")
        r = try await WharfProcess.run(["queue", "receive", "jobs", "--then", "defer"] + d)
        #expect(r.status == 0, "\(r)")
        r = try await WharfProcess.run(["events", "append", "account-1", "--type", "Deposited"] + d, stdin: "{}\n{}\n{}\n")
        #expect(r.status == 0, "\(r)")
        r = try await WharfProcess.run(["subscription", "create", "billing", "--stream", "$all", "--from", "start"] + d)
        #expect(r.status == 0, "\(r)")

        let db = "sqlite:\(dir.path)/app.db"
        r = try await WharfProcess.run(["outbox", "init", "--db", db])
        #expect(r.status == 0, "\(r)")
        let app = try DatabaseQueue(path: dir.path + "/app.db")
        try await app.write { db in
            for id in ["e1", "e2", "e3"] {
                try db.execute(sql: "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES (?, 'order', ?, 'created', '{}')",
                               arguments: [id, id])
            }
            try db.execute(sql: "UPDATE outbox SET attempts = 10, last_error = 'broker down', dead_at = created_at WHERE id = 'e3'")
        }
        try app.close()
        return db
    }

    @Test func serveExportsQueuesDeadLettersSubscriptionsAndOutboxes() async throws {
        let dir = TempDir()
        let db = try await Self.prepare(dir)
        let serve = try MetricsPrometheusTests.Background(
            ["serve", "--data", dir.path + "/data", "--listen", "127.0.0.1:0", "--amqp-listen", "127.0.0.1:0",
             "--metrics-listen", "127.0.0.1:0", "--metrics-refresh", "200", "--metrics-outbox", db], dir: dir)
        let release = dir.path + "/release"
        var holder: SpawnedProcess?
        do {
            let metricsPort = try await serve.port(#"metrics on http://127\.0\.0\.1:\d+"#)
            let connection = try await Self.connectionString(serve)
            let script = dir.path + "/hold_locks.py"
            try Self.lockScript.write(toFile: script, atomically: true, encoding: .utf8)
            holder = try SpawnedProcess(["/usr/bin/env", "python3", script, connection, "jobs", release],
                                        out: dir.path + "/hold.out", err: dir.path + "/hold.err")
            try await Self.check(metricsPort: metricsPort, holder: holder!)
        } catch {
            _ = FileManager.default.createFile(atPath: release, contents: nil)
            _ = try? await holder?.exit()
            _ = try? await serve.stop()
            throw error
        }
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        #expect(try await holder?.exit() == 0, "\(holder?.stderr ?? "")")
        #expect(try await serve.stop() == 0, "\(serve.process.stderr)")
    }

    static func connectionString(_ serve: MetricsPrometheusTests.Background) async throws -> String {
        for _ in 0..<600 {
            if let line = serve.process.stdout.split(separator: "\n").first(where: { $0.hasPrefix("connection string: ") }) {
                return String(line.dropFirst("connection string: ".count))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TmuxError("no connection string: \(serve.process.stdout) \(serve.process.stderr)")
    }

    static func check(metricsPort: Int, holder: SpawnedProcess) async throws {
        let locked = "wharf_queue_messages{queue=\"jobs\",state=\"locked\"} 2"
        var scrape = ""
        for _ in 0..<600 {
            scrape = RawHTTP.body(try await RawHTTP.get(port: metricsPort))
            if scrape.contains(locked + "\n") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(holder.stdout.contains("locked 2"), "\(holder.stdout) \(holder.stderr)")
        let lines = Set(scrape.split(separator: "\n").map(String.init))
        for expected in [
            "wharf_queue_messages{queue=\"jobs\",state=\"active\"} 1",
            locked,
            "wharf_queue_messages{queue=\"jobs\",state=\"deferred\"} 1",
            "wharf_queue_messages{queue=\"jobs\",state=\"scheduled\"} 1",
            "wharf_queue_dead_lettered_messages{queue=\"jobs\"} 1",
            "wharf_deadletter_messages{entity=\"jobs/$deadletterqueue\",kind=\"queue\"} 1",
            "wharf_outbox_pending_rows{outbox=\"app.db\"} 2",
            "wharf_outbox_dead_rows{outbox=\"app.db\"} 1",
            "wharf_outbox_failing_rows{outbox=\"app.db\"} 0",
        ] {
            #expect(lines.contains(expected), "missing \(expected) in:\n\(scrape)")
        }
        #expect(lines.contains { $0.hasPrefix("wharf_outbox_oldest_pending_age_seconds{outbox=\"app.db\"} ") }, "\(scrape)")
        let subscriptionLag = lines.first { $0.hasPrefix("wharf_event_reader_lag_events{reader=\"billing\"") }
        #expect(subscriptionLag?.hasSuffix(" 3") == true, "\(scrape)")
        let problems = try await Promtool.checkMetrics(scrape)
        #expect(problems.isEmpty, "promtool: \(problems)")
    }
}
