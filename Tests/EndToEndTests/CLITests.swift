import Foundation
import Testing

/// The CLI end to end through the built binary, including its error cases.
@Suite(.endToEnd) struct CLITests {
    @Test func topicLifecycle() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["topic", "create", "orders", "--partitions", "4", "--retention-ms", "3600000"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("created topic orders with 4 partitions"))

        r = try await WharfProcess.run(["topic", "list", "--json"] + d)
        let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(list.map { $0["name"] as! String } == ["orders"])

        r = try await WharfProcess.run(["topic", "describe", "orders", "--json"] + d)
        let desc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(desc["name"] as? String == "orders")
        let parts = desc["partitions"] as! [[String: Any]]
        #expect(parts.count == 4)
        for (i, p) in parts.enumerated() {
            #expect(p["partition"] as? Int == i)
            #expect(p["logStartOffset"] as? Int == 0 && p["logEndOffset"] as? Int == 0)
            #expect(p["sizeBytes"] as? Int == 0 && p["segments"] as? Int == 1)
        }

        r = try await WharfProcess.run(["topic", "add-partitions", "orders", "--count", "6"] + d)
        #expect(r.status == 0 && r.stdout.contains("now has 6 partitions"))
        r = try await WharfProcess.run(["topic", "delete", "orders"] + d)
        #expect(r.status == 0)
        r = try await WharfProcess.run(["topic", "list"] + d)
        #expect(r.stdout.contains("no topics"))
    }

    /// Counts agree with their noun: "1 partition, 1 record", "2 partitions, 2 records".
    @Test func countsInCLIOutputAreSingularForOne() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["topic", "create", "solo", "--partitions", "1"] + d)
        #expect(r.stdout.contains("created topic solo with 1 partition\n"), "\(r.stdout)")
        try await WharfProcess.run(["produce", "solo"] + d, stdin: "only\n")
        r = try await WharfProcess.run(["topic", "describe", "solo"] + d)
        #expect(r.stdout.hasPrefix("topic solo: 1 partition, 1 record, "), "\(r.stdout)")
        r = try await WharfProcess.run(["topic", "add-partitions", "solo", "--count", "2"] + d)
        #expect(r.stdout.contains("now has 2 partitions"), "\(r.stdout)")
        try await WharfProcess.run(["produce", "solo", "--partition", "0"] + d, stdin: "second\n")
        r = try await WharfProcess.run(["topic", "describe", "solo"] + d)
        #expect(r.stdout.hasPrefix("topic solo: 2 partitions, 2 records, "), "\(r.stdout)")
        r = try await WharfProcess.run(["records", "delete", "solo", "--partition", "0", "--before", "1"] + d)
        #expect(r.stdout.contains("deleted 1 record from solo/0"), "\(r.stdout)\(r.stderr)")
    }

    @Test func produceAndConsumeWithKeysAndHeaders() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        try await WharfProcess.run(["topic", "create", "t", "--partitions", "3"] + d)
        let input = (0..<30).map { "key\($0 % 5):value-\($0)" }.joined(separator: "\n") + "\n"
        var r = try await WharfProcess.run(["produce", "t", "--key-separator", ":", "--header", "source=e2e"] + d, stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "appended 30 records to t")

        r = try await WharfProcess.run(["consume", "t", "--format", "json"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try r.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.count == 30)
        var partitionOfKey: [String: Int] = [:]
        for o in objects {
            for field in ["topic", "partition", "offset", "timestamp", "key", "value", "headers"] { #expect(o[field] != nil, "missing \(field)") }
            let key = o["key"] as! String
            let p = o["partition"] as! Int
            // Same key, same partition: keyed placement is stable.
            #expect(partitionOfKey[key, default: p] == p)
            partitionOfKey[key] = p
            let headers = o["headers"] as! [[String: Any]]
            #expect(headers.first?["key"] as? String == "source" && headers.first?["value"] as? String == "e2e")
        }
        // Per key, values come back in the order they were produced.
        for k in 0..<5 {
            let values = objects.filter { $0["key"] as? String == "key\(k)" }.map { $0["value"] as! String }
            #expect(values == (0..<30).filter { $0 % 5 == k }.map { "value-\($0)" })
        }
        r = try await WharfProcess.run(["consume", "t", "--partition", "0", "--max", "2"] + d)
        #expect(r.lines.count == 2)
    }

    @Test func consumerGroupCommitsLagAndReset() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        try await WharfProcess.run(["topic", "create", "events", "--partitions", "2"] + d)
        try await WharfProcess.run(["produce", "events"] + d, stdin: (0..<100).map { "e\($0)" }.joined(separator: "\n"))
        var r = try await WharfProcess.run(["consume", "events", "--group", "billing", "--max", "60"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == 60)

        r = try await WharfProcess.run(["group", "describe", "billing", "--json"] + d)
        var g = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(g["group"] as? String == "billing")
        #expect(g["totalLag"] as? Int == 40)
        #expect(g["state"] as? String == "Empty")
        let partitions = g["partitions"] as! [[String: Any]]
        #expect(partitions.count == 2)
        #expect(partitions.reduce(0) { $0 + ($1["committedOffset"] as! Int) } == 60)
        for p in partitions {
            for field in ["topic", "partition", "committedOffset", "logEndOffset", "lag", "timeLagMs"] { #expect(p[field] != nil, "missing \(field)") }
        }

        // A second run continues from the commits: exactly the other 40 records.
        r = try await WharfProcess.run(["consume", "events", "--group", "billing"] + d)
        #expect(r.lines.count == 40)

        // Dry run changes nothing.
        r = try await WharfProcess.run(["group", "reset", "billing", "--topic", "events:0", "--to-earliest"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("dry run"))
        r = try await WharfProcess.run(["group", "describe", "billing", "--json"] + d)
        g = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(g["totalLag"] as? Int == 0)

        // Execute: partition 0 goes back to the start; lag grows by exactly its records.
        r = try await WharfProcess.run(["group", "reset", "billing", "--topic", "events:0", "--to-earliest", "--execute", "--json"] + d)
        let reset = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let row = (reset["partitions"] as! [[String: Any]])[0]
        #expect(row["newOffset"] as? Int == 0)
        let reread = row["recordsToReread"] as! Int
        #expect(reread == row["currentOffset"] as? Int)
        r = try await WharfProcess.run(["group", "describe", "billing", "--json"] + d)
        g = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(g["totalLag"] as? Int == reread)

        r = try await WharfProcess.run(["group", "reset", "billing", "--topic", "events", "--shift-by", "-5", "--json"] + d)
        #expect(r.status == 0)
        r = try await WharfProcess.run(["group", "list", "--json"] + d)
        #expect(r.stdout.contains("\"billing\""))
        r = try await WharfProcess.run(["group", "delete", "billing"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["group", "list"] + d)
        #expect(r.stdout.contains("no consumer groups"))
    }

    @Test func purgeAdvancesLogStart() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        try await WharfProcess.run(["topic", "create", "p", "--partitions", "1"] + d)
        try await WharfProcess.run(["produce", "p"] + d, stdin: (0..<10).map { "r\($0)" }.joined(separator: "\n"))
        var r = try await WharfProcess.run(["records", "delete", "p", "--partition", "0", "--before", "4"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("deleted 4 records"))
        r = try await WharfProcess.run(["consume", "p"] + d)
        #expect(r.lines == (4..<10).map { "r\($0)" })
        r = try await WharfProcess.run(["topic", "describe", "p", "--json"] + d)
        #expect(r.stdout.contains("\"logStartOffset\":4"))
        r = try await WharfProcess.run(["records", "delete", "p", "--partition", "0", "--before", "end"] + d)
        #expect(r.status == 0 && r.stdout.contains("deleted 6 records from p/0; log start offset is now 10"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["records", "delete", "p", "--partition", "0", "--before", "soon"] + d)
        #expect(r.status != 0 && r.stderr.contains("--before"), "\(r.stderr)")
    }

    @Test func userErrorsAreOneLineWithoutCrashTraces() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        try await WharfProcess.run(["topic", "create", "exists", "--partitions", "1"] + d)
        let cases: [([String], String)] = [
            (["topic", "describe", "nope"], "unknown topic 'nope'"),
            (["produce", "nope"], "unknown topic 'nope'"),
            (["consume", "nope"], "unknown topic 'nope'"),
            (["topic", "create", "exists"], "already exists"),
            (["topic", "create", "bad name!"], "may contain only"),
            (["topic", "create", "x", "--partitions", "0"], "partition count"),
            (["topic", "create", "x", "--partitions", "many"], "many"),
            (["produce", "exists", "--fsync", "sometimes"], "invalid fsync policy 'sometimes'"),
            (["consume", "exists", "--from", "tomorrow-ish"], "--from"),
            (["consume", "exists", "--partition", "7"], "no partition 7"),
            (["consume", "exists", "--from", "99"], "out of range"),
            (["group", "describe", "ghost"], "unknown consumer group 'ghost'"),
            (["group", "reset", "g", "--topic", "exists"], "exactly one of"),
            (["group", "reset", "g", "--topic", "exists", "--to-earliest", "--to-latest"], "exactly one of"),
            (["group", "reset", "g", "--topic", "exists", "--by-duration", "yesterday"], "ISO-8601 duration"),
            (["records", "delete", "exists", "--partition", "0", "--before", "50"], "out of range"),
            // One key=value rule (KeyValueText): an '=' and a non-empty key.
            (["produce", "exists", "--header", "=x"], "--header '=x' must look like KEY=VALUE, with a non-empty KEY"),
            (["produce", "exists", "--header", "nokey"], "--header 'nokey' must look like KEY=VALUE"),
            (["queue", "send", "q", "--body", "b", "--property", "=x"], "--property '=x' must look like KEY=VALUE, with a non-empty KEY"),
            (["topic", "frobnicate"], "frobnicate"),
        ]
        for (args, expected) in cases {
            let r = try await WharfProcess.run(args == ["topic", "frobnicate"] ? args : args + d)
            #expect(r.status != 0, "\(args) should fail")
            #expect(r.stderr.contains(expected), "\(args): stderr was \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump") && !r.stderr.contains("Backtrace"), "\(args) crashed: \(r.stderr)")
        }
    }

    @Test func corruptTopicMetadataIsAClearError() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        try await WharfProcess.run(["topic", "create", "c", "--partitions", "1"] + d)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dir.path + "/topics/c/topic.json"))
        let r = try await WharfProcess.run(["topic", "list"] + d)
        #expect(r.status != 0)
        #expect(r.stderr.contains("topic metadata"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
}
