import Foundation
import Testing

/// Issue #7: `wharf dlq list|peek|requeue|purge --bootstrap` on a dead-letter topic written the way
/// Spring Kafka writes one (by kafka-python, binary partition/offset headers), against a real
/// `wharf serve`, compared with the embedded commands on the same data directory; and
/// kafka-python seeing what `records delete` and `group reset` did over the wire.
@Suite(.serialized, .endToEnd) struct BootstrapDeadLetterCLITests {
    /// Runs bootstrap_checks.py with kafka-python; a missing client fails the test.
    static func python(_ args: [String]) async throws -> WharfProcess.Result {
        let script = KafkaClientGroupTests.clientsDirectory.appendingPathComponent("bootstrap_checks.py").path
        let r = try await WharfProcess.run([script] + args, executable: "/usr/bin/env", prefix: ["python3"])
        #expect(r.status == 0, "kafka-python check \(args) failed: \(r.stderr)")
        return r
    }

    /// The topics of `dlq list --json` without the age (it depends on when the command ran);
    /// queues differ by design (a cluster has none).
    static func listTopicsJSON(_ text: String) throws -> NSArray {
        let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        return (o["topics"] as! [[String: Any]]).map { $0.filter { $0.key != "oldestMessageAgeMillis" } } as NSArray
    }

    @Test func deadLetterTopicOverTheWireRequeuesOnceLikeTheEmbeddedEngine() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["topic", "create", "payments", "--partitions", "3"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["topic", "create", "payments.DLT", "--partitions", "1"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["queue", "create", "jobs"] + d)
        #expect(r.status == 0, "\(r.stderr)")

        var server = try KafkaListenerTests.Server(dataDirectory: dir)
        var b = ["--bootstrap", server.bootstrap]
        _ = try await Self.python(["spring-dlt", server.bootstrap, "payments.DLT", "payments", "6"])
        let reads: [[String]] = [["dlq", "list", "--json"], ["dlq", "list"], ["dlq", "peek", "payments.DLT", "--json"],
                                 ["dlq", "peek", "payments.DLT", "--max", "2"]]
        var remote: [[String]: WharfProcess.Result] = [:]
        for c in reads { remote[c] = try await WharfProcess.run(c + b) }
        let list = try JSONSerialization.jsonObject(with: Data(remote[reads[0]]!.stdout.utf8)) as! [String: Any]
        #expect((list["queues"] as? [Any])?.isEmpty == true, "\(remote[reads[0]]!.stdout)")
        #expect(remote[reads[0]]!.stdout.contains(#""convention":"spring""#) && remote[reads[0]]!.stdout.contains(#""count":6"#))
        #expect(remote[reads[2]]!.stdout.contains(#""originalPartition":2"#) && remote[reads[2]]!.stdout.contains(#""originalOffset":105"#))

        // A queue is not a topic of the cluster: one line naming the data directory.
        r = try await WharfProcess.run(["dlq", "peek", "jobs"] + b)
        let err = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(r.status != 0 && err.count == 1 && err[0].contains("queues") && err[0].contains("--data"), "\(r.stderr)")

        r = try await WharfProcess.run(["dlq", "requeue", "payments.DLT", "--reason", "Insufficient funds", "--dry-run"] + b)
        #expect(r.stdout.contains("would requeue 3 records from payments.DLT (3 to payments)"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["dlq", "requeue", "payments.DLT", "--reason", "Card declined by issuer"] + b)
        #expect(r.status == 0 && r.stdout.contains("requeued 3 records from payments.DLT (3 to payments)"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["dlq", "requeue", "payments.DLT", "--all", "--dry-run", "--json"] + b)
        let dry = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(dry["offsets"] as? [Int] == [1, 3, 5] && dry["dryRun"] as? Bool == true, "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["dlq", "requeue", "payments.DLT", "--all"] + b)
        #expect(r.stdout.contains("requeued 3 records"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["dlq", "requeue", "payments.DLT", "--all", "--dry-run"] + b)
        #expect(r.stdout.contains("would requeue 0 records from payments.DLT"), "a second dry run offered records again: \(r.stdout)")
        // Back on the original partitions, business headers only.
        r = try await WharfProcess.run(["consume", "payments", "--format", "json"] + b)
        #expect(r.lines.count == 6, "\(r.stdout)\(r.stderr)")
        for line in r.lines {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let n = Int((o["value"] as! String).dropFirst(4))!
            #expect(o["partition"] as? Int == n % 3 && o["key"] as? String == "k\(n)", "\(line)")
            #expect(line.contains(#""key":"trace""#) && !line.contains("kafka_dlt"), "\(line)")
        }
        #expect(server.stop() == 0)

        // The embedded engine reads the same summaries and records, and sees the progress the wire committed.
        for c in reads {
            let l = try await WharfProcess.run(c + d), w = remote[c]!
            #expect(l.status == 0 && w.status == 0, "\(c): \(l.stderr) | \(w.stderr)")
            if c == reads[0] {
                #expect(try Self.listTopicsJSON(l.stdout) == Self.listTopicsJSON(w.stdout), "\(c)\n\(l.stdout)\n\(w.stdout)")
            } else if c == reads[1] {
                // The embedded list also has the queue's dead-letter queue; the topic rows agree but for the age.
                let row = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("payments.DLT") }
                    .map { $0.replacing(/\s+\S+\s+Card/, with: " _ Card") } }
                #expect(row(l.stdout) != nil && row(l.stdout) == row(w.stdout), "\(l.stdout)\n\(w.stdout)")
                #expect(l.stdout.contains("DEAD-LETTER QUEUE") && !w.stdout.contains("DEAD-LETTER QUEUE"), "\(w.stdout)")
            } else {
                #expect(l.stdout == w.stdout, "\(c)\nembedded:\n\(l.stdout)\nbootstrap:\n\(w.stdout)")
            }
        }
        r = try await WharfProcess.run(["dlq", "requeue", "payments.DLT", "--all", "--dry-run"] + d)
        #expect(r.stdout.contains("would requeue 0 records"), "\(r.stdout)\(r.stderr)")

        server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        b = ["--bootstrap", server.bootstrap]
        r = try await WharfProcess.run(["dlq", "purge", "payments.DLT"] + b)
        #expect(r.status == 2 && r.stdout.contains("would purge 6 records from dead-letter topic payments.DLT; add --yes"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["dlq", "purge", "payments.DLT", "--yes"] + b)
        #expect(r.status == 0 && r.stdout.contains("purged 6 records from dead-letter topic payments.DLT"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["dlq", "list", "--json"] + b)
        #expect(r.stdout.contains(#""topics":[]"#), "\(r.stdout)")
        #expect(server.stop() == 0)
    }

    @Test func kafkaPythonSeesRecordsDeleteAndGroupResetDoneOverTheWire() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        for t in ["ledger", "accounts"] {
            var r = try await WharfProcess.run(["topic", "create", t, "--partitions", "1"] + d)
            #expect(r.status == 0, "\(r.stderr)")
            r = try await WharfProcess.run(["produce", t] + d, stdin: (0..<20).map { "\(t)-\($0)" }.joined(separator: "\n") + "\n")
            #expect(r.status == 0, "\(r.stderr)")
        }
        var r = try await WharfProcess.run(["consume", "accounts", "--group", "ledger-service", "--max", "15"] + d)
        #expect(r.status == 0 && r.lines.count == 15, "\(r.stderr)")

        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let b = ["--bootstrap", server.bootstrap]
        r = try await WharfProcess.run(["records", "delete", "ledger", "--partition", "0", "--before", "8"] + b)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        r = try await Self.python(["first-offset", server.bootstrap, "ledger", "0"])
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "8", "\(r.stdout)")

        r = try await WharfProcess.run(["group", "reset", "ledger-service", "--topic", "accounts", "--to-offset", "4", "--execute"] + b)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        r = try await Self.python(["group-first", server.bootstrap, "accounts", "ledger-service"])
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "4", "\(r.stdout)")
        #expect(server.stop() == 0)
    }
}
