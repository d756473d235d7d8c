import Foundation
import Testing

/// Issue #7: `topic create` and `topic delete` with `--bootstrap` (CreateTopics / DeleteTopics
/// on a real `wharf serve`), seen afterwards by the embedded CLI on the same data directory.
@Suite(.serialized) struct BootstrapAdminCLITests {
    @Test func createAndDeleteTopicsOverTheWire() throws {
        let dir = TempDir()
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        let b = ["--bootstrap", server.bootstrap]
        var r = try WharfProcess.run(["topic", "create", "remote-orders", "--partitions", "4", "--retention-ms", "3600000"] + b)
        #expect(r.status == 0 && r.stdout.contains("created topic remote-orders with 4 partitions"), "\(r.stdout)\(r.stderr)")
        r = try WharfProcess.run(["topic", "create", "remote-temp", "--partitions", "1", "--json"] + b)
        #expect(r.status == 0 && r.stdout.contains(#""name":"remote-temp""#), "\(r.stdout)\(r.stderr)")
        r = try WharfProcess.run(["topic", "create", "remote-temp"] + b)
        #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1, "an existing topic is a one-line error: \(r.stderr)")
        r = try WharfProcess.run(["topic", "delete", "remote-temp"] + b)
        #expect(r.status == 0 && r.stdout.contains("deleted topic remote-temp"), "\(r.stdout)\(r.stderr)")
        r = try WharfProcess.run(["topic", "delete", "never-was"] + b)
        #expect(r.status != 0 && !r.stderr.contains("Fatal error"), "\(r.stderr)")
        #expect(server.stop() == 0)

        // What the cluster did is what the data directory holds.
        let local = try WharfProcess.run(["topic", "list", "--json", "--data", dir.path])
        #expect(local.stdout.contains(#""name":"remote-orders""#) && !local.stdout.contains("remote-temp"), "\(local.stdout)")
        let described = try WharfProcess.run(["topic", "describe", "remote-orders", "--json", "--data", dir.path])
        #expect(described.stdout.contains(#""retentionMs":3600000"#), "retention passed as retention.ms: \(described.stdout)")
    }
}
