import Foundation
import Testing

/// `<data>/audit.log` through the real binary: CLI changes and kafka-python's admin calls over
/// the wire are recorded with their actor, survive the processes that made them, and
/// `wharf audit undo` restores the exact offsets a reset replaced.
@Suite(.endToEnd) struct AuditCLITests {
    struct Entry: Decodable {
        struct Actor: Decodable {
            var kind: String
            var user: String?
            var process: String?
            var pid: Int32?
            var address: String?
            var principal: String?
        }
        var id: String
        var action: String
        var target: String
        var actor: Actor
        var before: [String: String]?
        var after: [String: String]?
        var result: String
        var undoes: String?
    }

    static func audit(_ args: [String]) async throws -> [Entry] {
        let r = try await WharfProcess.run(["audit", "--json"] + args)
        #expect(r.status == 0, "\(r)")
        return try JSONDecoder().decode([Entry].self, from: Data(r.stdout.utf8))
    }

    static func committed(_ group: String, _ d: [String]) async throws -> [String: Int64] {
        let r = try await WharfProcess.run(["group", "describe", group, "--json"] + d)
        #expect(r.status == 0, "\(r)")
        struct Lag: Decodable {
            struct Row: Decodable { var topic: String; var partition: Int32; var committedOffset: Int64? }
            var partitions: [Row]
        }
        let lag = try JSONDecoder().decode(Lag.self, from: Data(r.stdout.utf8))
        var out: [String: Int64] = [:]
        for p in lag.partitions { if let c = p.committedOffset { out["\(p.topic)/\(p.partition)"] = c } }
        return out
    }

    @Test func cliChangesAreAuditedAndUndoRestoresTheExactOffsets() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        #expect(try await WharfProcess.run(["topic", "create", "orders", "--partitions", "2"] + d).status == 0)
        for p in ["0", "1"] {
            let lines = (0..<15).map { "v\($0)" }.joined(separator: "\n") + "\n"
            #expect(try await WharfProcess.run(["produce", "orders", "--partition", p] + d, stdin: lines).status == 0)
        }
        var r = try await WharfProcess.run(["group", "reset", "billing", "--topic", "orders:0", "--to-offset", "3", "--execute"] + d)
        #expect(r.status == 0, "\(r)")
        r = try await WharfProcess.run(["group", "reset", "billing", "--topic", "orders", "--to-latest", "--execute"] + d)
        #expect(r.status == 0, "\(r)")
        let before = try await Self.committed("billing", d)
        #expect(try await WharfProcess.run(["records", "delete", "orders", "--partition", "1", "--before", "2"] + d).status == 0)
        #expect(try await WharfProcess.run(["topic", "create", "scratch"] + d).status == 0)
        #expect(try await WharfProcess.run(["topic", "delete", "scratch"] + d).status == 0)

        let log = try await Self.audit(d)
        #expect(log.map(\.action) == ["topic.create", "group.reset-offsets", "group.reset-offsets", "records.delete",
                                      "topic.create", "topic.delete"])
        #expect(log.allSatisfy { $0.actor.kind == "process" && $0.result == "ok" && $0.actor.pid != nil })
        #expect(log[0].actor.process == "wharf topic" && log[1].actor.process == "wharf group" && log[3].actor.process == "wharf records")
        #expect(log[0].actor.user == String(cString: getpwuid(getuid())!.pointee.pw_name))
        let reset = log[2]
        #expect(reset.target == "group:billing" && reset.before?["orders/0"] == "3" && reset.before?["orders/1"] == "none",
                "\(reset)")
        #expect(reset.after == ["orders/0": "15", "orders/1": "15"])

        // Filters: an action prefix, and a time window.
        #expect(try await Self.audit(d + ["--action", "topic"]).map(\.action) == ["topic.create", "topic.create", "topic.delete"])
        #expect(try await Self.audit(d + ["--action", "group.reset-offsets", "--since", "PT1H"]).count == 2)
        let table = try await WharfProcess.run(["audit"] + d)
        #expect(table.stdout.contains("orders/0 3→") && table.stdout.contains(reset.id), "\(table)")

        // Undo in a new process: orders/0 goes back to 3; orders/1 had no offset before, so it stays.
        r = try await WharfProcess.run(["audit", "undo", reset.id] + d)
        #expect(r.status == 0 && r.stdout.contains("restored 1 partition"), "\(r)")
        let after = try await Self.committed("billing", d)
        #expect(after["orders/0"] == 3 && after["orders/1"] == before["orders/1"], "\(after)")
        let undo = try #require(try await Self.audit(d).last)
        #expect(undo.action == "group.reset-offsets.undo" && undo.undoes == reset.id && undo.actor.process == "wharf audit")
        let refused = try await WharfProcess.run(["audit", "undo", log[0].id] + d)
        #expect(refused.status != 0 && refused.stderr.contains("not an offset reset"), "\(refused)")
    }

    static let adminScript = """
        import sys
        from kafka import KafkaProducer, TopicPartition
        from kafka.admin import KafkaAdminClient, NewTopic
        from kafka.structs import OffsetAndMetadata
        b = sys.argv[1]
        admin = KafkaAdminClient(bootstrap_servers=b)
        admin.create_topics([NewTopic("audited", num_partitions=2, replication_factor=1)])
        p = KafkaProducer(bootstrap_servers=b, acks="all")
        for i in range(10):
            p.send("audited", value=b"x", partition=0)
        p.flush(15)
        p.close()
        tp = TopicPartition("audited", 0)
        admin.delete_records({tp: 4})
        admin.alter_group_offsets("ops", {tp: OffsetAndMetadata(6, "", -1)})
        admin.delete_groups(["ops"])
        admin.delete_topics(["audited"])
        admin.close()
        print("done")
        """

    @Test func kafkaPythonAdminCallsAreAuditedWithTheClientAndSurviveARestart() async throws {
        let dir = TempDir()
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        let r = try await WharfProcess.run(["-c", Self.adminScript, server.bootstrap], executable: "/usr/bin/env", prefix: ["python3"])
        #expect(server.stop() == 0)
        #expect(r.status == 0 && r.stdout.contains("done"), "\(r)")
        // A restarted broker in between: the log is read from disk by another process.
        let again = try KafkaListenerTests.Server(dataDirectory: dir)
        #expect(again.stop() == 0)

        let log = try await Self.audit(["--data", dir.path])
        #expect(log.map(\.action) == ["topic.create", "records.delete", "group.offsets.admin-commit", "group.delete", "topic.delete"],
                "\(log.map(\.action))")
        for e in log {
            #expect(e.actor.kind == "client" && e.actor.principal == "User:ANONYMOUS" && e.result == "ok")
            #expect(e.actor.address?.hasPrefix("127.0.0.1:") == true, "\(e.actor)")
        }
        #expect(log[1].target == "topic:audited/0" && log[1].after?["log-start"] == "4")
        #expect(log[2].target == "group:ops" && log[2].before == ["audited/0": "none"] && log[2].after == ["audited/0": "6"])
        #expect(log[3].before == ["audited/0": "6"])
    }

    @Test func traceFollowsAnEventThroughTheCLI() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        #expect(try await WharfProcess.run(["topic", "create", "orders", "--partitions", "1"] + d).status == 0)
        #expect(try await WharfProcess.run(["produce", "orders", "--header", "id=evt-1"] + d, stdin: "first\n").status == 0)
        #expect(try await WharfProcess.run(["produce", "orders", "--header", "id=evt-2"] + d, stdin: "second\n").status == 0)
        let consumed = try await WharfProcess.run(["consume", "orders", "--group", "billing", "--from", "earliest", "--max", "1"] + d)
        #expect(consumed.status == 0, "\(consumed)")
        struct Trace: Decodable {
            struct Hop: Decodable { var role: String; var topic: String; var offset: Int64; var consumedBy: [Commit]; var pendingFor: [Commit] }
            struct Commit: Decodable { var group: String }
            var eventId: String?
            var hops: [Hop]
            var now: String
        }
        for (id, consumedBy) in [("evt-1", ["billing"]), ("orders/0/1", [])] {
            let r = try await WharfProcess.run(["trace", id, "--json"] + d)
            #expect(r.status == 0, "\(r)")
            let trace = try JSONDecoder().decode(Trace.self, from: Data(r.stdout.utf8))
            #expect(trace.hops.count == 1 && trace.hops.first?.consumedBy.map(\.group) == consumedBy, "\(r.stdout)")
        }
        let table = try await WharfProcess.run(["trace", "evt-1"] + d)
        #expect(table.stdout.contains("now: in orders/0/0, consumed by billing") && table.stdout.contains("(event id evt-1)"), "\(table)")
        let missing = try await WharfProcess.run(["trace", "orders/0/99"] + d)
        #expect(missing.status != 0 && missing.stderr.contains("99"), "\(missing)")

        // Over --bootstrap, the same data directory served: the cluster answers the same hops.
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        let remote = try await WharfProcess.run(["trace", "evt-1", "--json", "--bootstrap", server.bootstrap])
        let remoteMissing = try await WharfProcess.run(["trace", "orders/0/99", "--bootstrap", server.bootstrap])
        #expect(server.stop() == 0)
        #expect(remote.status == 0, "\(remote)")
        let trace = try JSONDecoder().decode(Trace.self, from: Data(remote.stdout.utf8))
        #expect(trace.eventId == "evt-1" && trace.hops.map(\.offset) == [0] && trace.hops.first?.consumedBy.map(\.group) == ["billing"],
                "\(remote.stdout)")
        #expect(remoteMissing.status != 0 && remoteMissing.stderr.contains("99"), "\(remoteMissing)")
    }

    @Test func userChangesAreAuditedWithoutTheirSecrets() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        let secret = "s3cret-Pa55word"
        #expect(try await WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin"] + d, stdin: secret).status == 0)
        #expect(try await WharfProcess.run(["user", "add", "alice", "--mechanism", "PLAIN", "--password-stdin"] + d, stdin: secret).status == 0)
        #expect(try await WharfProcess.run(["user", "delete", "alice"] + d).status == 0)
        let log = try await Self.audit(d)
        #expect(log.map(\.action) == ["user.upsert", "user.upsert", "user.delete"])
        #expect(log.allSatisfy { $0.target == "user:alice" && $0.actor.process == "wharf user" })
        #expect(log[0].before == nil && log[0].after == ["SCRAM-SHA-512": "4096 iterations"])
        #expect(log[1].after == ["SCRAM-SHA-512": "4096 iterations", "PLAIN": "4096 iterations"])
        #expect(log[2].after == nil && log[2].before?.count == 2)
        let raw = try String(contentsOfFile: dir.path + "/audit.log", encoding: .utf8)
        #expect(!raw.contains(secret) && !raw.contains("storedKey") && !raw.contains("salt"))
    }
}
