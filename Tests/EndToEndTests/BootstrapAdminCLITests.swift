import Foundation
import Testing

/// Issue #7: `topic create|delete|add-partitions`, `records delete` and `group delete` with `--bootstrap`
/// (CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords, DeleteGroups on a real `wharf serve`), seen
/// afterwards by the embedded CLI on the same data directory.
@Suite(.serialized, .endToEnd) struct BootstrapAdminCLITests {
    @Test func adminCommandsOverTheWire() async throws {
        let dir = TempDir()
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        let b = ["--bootstrap", server.bootstrap]
        var r = try await WharfProcess.run(["topic", "create", "remote-orders", "--partitions", "4", "--retention-ms", "3600000"] + b)
        #expect(r.status == 0 && r.stdout.contains("created topic remote-orders with 4 partitions"), "\(r.stdout)\(r.stderr)")
        // add-partitions: CreatePartitions; a count not above the current one is one line.
        r = try await WharfProcess.run(["topic", "add-partitions", "remote-orders", "--count", "6"] + b)
        #expect(r.status == 0 && r.stdout.contains("topic remote-orders now has 6 partitions"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["topic", "add-partitions", "remote-orders", "--count", "6"] + b)
        #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1, "not larger: one line: \(r.stderr)")
        r = try await WharfProcess.run(["topic", "create", "remote-temp", "--partitions", "1", "--json"] + b)
        #expect(r.status == 0 && r.stdout.contains(#""name":"remote-temp""#), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["topic", "create", "remote-temp"] + b)
        #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1, "an existing topic is a one-line error: \(r.stderr)")
        r = try await WharfProcess.run(["topic", "delete", "remote-temp"] + b)
        #expect(r.status == 0 && r.stdout.contains("deleted topic remote-temp"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["topic", "delete", "never-was"] + b)
        #expect(r.status != 0 && !r.stderr.contains("Fatal error"), "\(r.stderr)")

        // records delete: DeleteRecords moves the log start; -1 means up to the end.
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "remote-orders", "-P", "-p", "0"],
                                        stdin: (0..<10).map { "r\($0)" }.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["records", "delete", "remote-orders", "--partition", "0", "--before", "4", "--json"] + b)
        #expect(r.status == 0 && r.stdout.contains(#""logStartOffset":4"#) && r.stdout.contains(#""deletedRecords":4"#), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["records", "delete", "remote-orders", "--partition", "0", "--before", "end"] + b)
        #expect(r.status == 0 && r.stdout.contains("deleted 6 records from remote-orders/0; log start offset is now 10"), "\(r.stdout)\(r.stderr)")

        // group delete: DeleteGroups on an empty group (a kcat consumer that committed and left).
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "group-src", "-P"], stdin: "x\n")
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-G", "remote-g", "-X", "auto.offset.reset=earliest", "-X", "enable.auto.commit=true",
                                         "-X", "auto.commit.interval.ms=100", "-e", "-f", "%s\n", "group-src"])
        #expect(r.status == 0 && r.lines == ["x"], "\(r.stderr)")
        r = try await WharfProcess.run(["group", "list", "--json"] + b)
        #expect(r.stdout.contains(#""group":"remote-g""#), "\(r.stdout)")
        r = try await WharfProcess.run(["group", "delete", "remote-g"] + b)
        #expect(r.status == 0 && r.stdout.contains("deleted group remote-g"), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["group", "list", "--json"] + b)
        #expect(!r.stdout.contains("remote-g"), "\(r.stdout)")
        #expect(server.stop() == 0)

        // What the cluster did is what the data directory holds.
        let local = try await WharfProcess.run(["topic", "list", "--json", "--data", dir.path])
        #expect(local.stdout.contains(#""name":"remote-orders""#) && !local.stdout.contains("remote-temp"), "\(local.stdout)")
        let described = try await WharfProcess.run(["topic", "describe", "remote-orders", "--json", "--data", dir.path])
        #expect(described.stdout.contains(#""retentionMs":3600000"#), "retention passed as retention.ms: \(described.stdout)")
        #expect(described.stdout.contains(#""partition":5"#), "six partitions: \(described.stdout)")
    }
}
