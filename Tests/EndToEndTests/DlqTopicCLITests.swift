import Foundation
import Testing

/// Dead-letter topics end to end: records dead-lettered with Spring and Kafka Connect headers
/// (written by kcat through the listener), then listed, peeked, requeued and purged with the CLI.
@Suite(.serialized, .endToEnd) struct DlqTopicCLITests {
    @Test func deadLetterTopicListPeekRequeueOncePurge() async throws {
        let dir = TempDir()
        func wharf(_ args: [String]) async throws -> WharfProcess.Result { try await WharfProcess.run(args + ["--data", dir.path]) }
        #expect(try await wharf(["topic", "create", "orders", "--partitions", "2"]).status == 0)
        #expect(try await wharf(["topic", "create", "orders.DLT", "--partitions", "1"]).status == 0)
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        var r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "orders.DLT", "-P", "-k", "o1",
                                             "-H", "kafka_dlt-original-topic=orders", "-H", "kafka_dlt-exception-message=price missing",
                                             "-H", "trace=t1"], stdin: "order-1\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "orders.DLT", "-P", "-k", "o2",
                                         "-H", "__connect.errors.topic=orders", "-H", "__connect.errors.partition=1",
                                         "-H", "__connect.errors.offset=7", "-H", "__connect.errors.exception.message=bad JSON"], stdin: "order-2\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(server.stop() == 0)

        r = try await wharf(["dlq", "list", "--json"])
        #expect(r.status == 0 && r.stdout.contains(#""name":"orders.DLT""#) && r.stdout.contains(#""count":2"#), "\(r.stdout)\(r.stderr)")
        r = try await wharf(["dlq", "peek", "orders.DLT", "--json"])
        #expect(r.stdout.contains(#""deadLetterReason":"price missing""#) && r.stdout.contains(#""originalPartition":1"#), "\(r.stdout)")

        r = try await wharf(["dlq", "requeue", "orders.DLT", "--reason", "bad JSON", "--dry-run"])
        #expect(r.stdout.contains("would requeue 1 record from orders.DLT (1 to orders)"), "\(r.stdout)\(r.stderr)")
        r = try await wharf(["dlq", "requeue", "orders.DLT", "--all"])
        #expect(r.stdout.contains("requeued 2 records"), "\(r.stdout)\(r.stderr)")
        r = try await wharf(["dlq", "requeue", "orders.DLT", "--all"])
        #expect(r.stdout.contains("requeued 0 records"), "a re-run requeued again: \(r.stdout)")
        // On the original topic (Connect's original partition kept), business headers only.
        r = try await wharf(["consume", "orders", "--format", "json"])
        #expect(r.lines.count == 2, "\(r.stdout)")
        #expect(r.stdout.contains(#""partition":1"#) && r.stdout.contains(#""value":"order-2""#), "\(r.stdout)")
        #expect(r.stdout.contains(#""key":"trace""#) && !r.stdout.contains("kafka_dlt") && !r.stdout.contains("__connect"), "\(r.stdout)")

        r = try await wharf(["dlq", "purge", "orders.DLT"])
        #expect(r.status == 2 && r.stdout.contains("add --yes"), "\(r.stdout)")
        r = try await wharf(["dlq", "purge", "orders.DLT", "--yes"])
        #expect(r.status == 0 && r.stdout.contains("purged 2 records"), "\(r.stdout)\(r.stderr)")
        r = try await wharf(["dlq", "requeue", "orders.DLT", "--seq", "1"])
        #expect(r.status != 0 && r.stderr.contains("--offset"), "\(r.stderr)")
    }
}
