import Foundation
import Testing

/// Dead-letter topics of a cluster (`wharf serve` here), over `--bootstrap` only: the CLI gives
/// what the embedded CLI gives on the same data, a requeue keeps the same bookmark the engine
/// keeps (so neither requeues twice what the other did), and the attached dashboard requeues.
@Suite(.serialized, .endToEnd) struct ClusterDeadLetterTests {
    /// `shop` (2 partitions) and `shop.DLT` with a Spring and a Kafka Connect dead letter, written
    /// by kcat through the listener.
    static func deadLetters(_ server: KafkaListenerTests.Server) async throws {
        var r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "shop.DLT", "-P", "-k", "o1",
                                             "-H", "kafka_dlt-original-topic=shop", "-H", "kafka_dlt-exception-message=price missing",
                                             "-H", "trace=t1"], stdin: "order-1\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "shop.DLT", "-P", "-k", "o2",
                                         "-H", "__connect.errors.topic=shop", "-H", "__connect.errors.partition=1",
                                         "-H", "__connect.errors.offset=7", "-H", "__connect.errors.exception.message=bad JSON"], stdin: "order-2\n")
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// JSON with the ages removed (they differ between two runs by the time between them).
    static func withoutAges(_ json: String) -> String {
        json.replacingOccurrences(of: #""oldestMessageAgeMillis":\d+"#, with: "", options: .regularExpression)
    }

    /// What a requeue over the wire leaves when it stops mid-chunk (its intent committed, the
    /// copy of dead letter 1 produced with its provenance header, the progress not committed),
    /// written here by kcat and kafka-python: the next requeue finds the copy, produces only
    /// dead letter 0, and the embedded CLI then has nothing left to requeue. Each record once.
    @Test func aRequeueInterruptedMidChunkIsFinishedWithoutDuplicates() async throws {
        let dir = TempDir()
        #expect(try await WharfProcess.run(["topic", "create", "shop", "--partitions", "2", "--data", dir.path]).status == 0)
        #expect(try await WharfProcess.run(["topic", "create", "shop.DLT", "--partitions", "1", "--data", dir.path]).status == 0)
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        try await Self.deadLetters(server)
        var r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "shop", "-p", "1", "-P", "-k", "o2",
                                             "-H", "wharf.requeued-from=shop.DLT/0/1"], stdin: "order-2\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await ClusterDashboardTmuxTests.python("commit-meta", server.bootstrap, topic: "shop.DLT", group: "__wharf-requeue.shop.DLT",
                                                 ["0", "0", "|shop/1@0+1"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr.suffix(1500))")
        r = try await WharfProcess.run(["dlq", "requeue", "shop.DLT", "--all", "--bootstrap", server.bootstrap])
        #expect(r.status == 0 && r.stdout.contains("requeued 1 record from shop.DLT (1 to shop)"), "\(r.stdout)\(r.stderr)")
        #expect(server.stop() == 0)

        r = try await WharfProcess.run(["consume", "shop", "--format", "json", "--data", dir.path])
        #expect(r.lines.count == 2, "\(r.stdout)")
        #expect(r.lines.filter { $0.contains(#""value":"order-1""#) }.count == 1 && r.lines.filter { $0.contains(#""value":"order-2""#) }.count == 1,
                "each dead letter requeued once: \(r.stdout)")
        #expect(r.lines.first { $0.contains("order-1") }?.contains("shop.DLT/0/0") == true, "the requeued copy names its dead letter: \(r.stdout)")
        r = try await WharfProcess.run(["dlq", "requeue", "shop.DLT", "--all", "--dry-run", "--data", dir.path])
        #expect(r.stdout.contains("would requeue 0 records from shop.DLT"), "\(r.stdout)\(r.stderr)")
    }

    @Test func dlqOverBootstrapMatchesTheEmbeddedCLIAndSharesTheRequeueBookmark() async throws {
        let dir = TempDir()
        func embedded(_ args: [String]) async throws -> WharfProcess.Result { try await WharfProcess.run(args + ["--data", dir.path]) }
        #expect(try await embedded(["topic", "create", "shop", "--partitions", "2"]).status == 0)
        #expect(try await embedded(["topic", "create", "shop.DLT", "--partitions", "1"]).status == 0)
        var server = try KafkaListenerTests.Server(dataDirectory: dir)
        try await Self.deadLetters(server)
        func remote(_ args: [String]) async throws -> WharfProcess.Result { try await WharfProcess.run(args + ["--bootstrap", server.bootstrap]) }

        let listed = try await remote(["dlq", "list", "--json"])
        let peeked = try await remote(["dlq", "peek", "shop.DLT", "--json"])
        let table = try await remote(["dlq", "list"])
        #expect(listed.status == 0 && listed.stdout.contains(#""queues":[]"#) && listed.stdout.contains(#""name":"shop.DLT""#), "\(listed.stdout)\(listed.stderr)")
        #expect(table.stdout.contains("DEAD-LETTER TOPIC") && table.stdout.contains("shop.DLT"), "\(table.stdout)")
        var r = try await remote(["dlq", "requeue", "shop.DLT", "--reason", "bad JSON", "--dry-run"])
        #expect(r.stdout.contains("would requeue 1 record from shop.DLT (1 to shop)"), "\(r.stdout)\(r.stderr)")
        r = try await remote(["dlq", "requeue", "shop.DLT", "--offset", "1"])
        #expect(r.stdout.contains("requeued 1 record from shop.DLT (1 to shop)"), "\(r.stdout)\(r.stderr)")
        r = try await remote(["dlq", "peek", "orders", "--json"])
        #expect(r.status != 0 && r.stderr.contains("'orders' is not a topic of the cluster") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        r = try await remote(["dlq", "requeue", "shop.DLT", "--seq", "1"])
        #expect(r.status != 0 && r.stderr.contains("--offset"), "\(r.stderr)")
        #expect(server.stop() == 0)

        // The embedded CLI on the same data: the same list and records, and the bookmark the
        // wire requeue committed (offset 1 is done, offset 0 is not).
        let listedHere = try await embedded(["dlq", "list", "--json"])
        #expect(Self.withoutAges(listedHere.stdout) == Self.withoutAges(listed.stdout), "\(listedHere.stdout)\n\(listed.stdout)")
        #expect(try await embedded(["dlq", "peek", "shop.DLT", "--json"]).stdout == peeked.stdout)
        r = try await embedded(["dlq", "requeue", "shop.DLT", "--all", "--dry-run"])
        #expect(r.stdout.contains("would requeue 1 record from shop.DLT (1 to shop)"), "\(r.stdout)\(r.stderr)")
        r = try await embedded(["consume", "shop", "--format", "json"])
        #expect(r.lines.count == 1 && r.stdout.contains(#""partition":1"#) && r.stdout.contains(#""value":"order-2""#), "\(r.stdout)")
        #expect(!r.stdout.contains("__connect"), "dead-letter headers are stripped: \(r.stdout)")

        // Back over the wire: the rest, once; then the purge.
        server = try KafkaListenerTests.Server(dataDirectory: dir)
        r = try await remote(["dlq", "requeue", "shop.DLT", "--all"])
        #expect(r.stdout.contains("requeued 1 record from shop.DLT (1 to shop)"), "\(r.stdout)\(r.stderr)")
        r = try await remote(["dlq", "requeue", "shop.DLT", "--all"])
        #expect(r.stdout.contains("requeued 0 records"), "\(r.stdout)")
        r = try await remote(["dlq", "purge", "shop.DLT"])
        #expect(r.status == 2 && r.stdout.contains("would purge 2 records"), "\(r.stdout)\(r.stderr)")
        r = try await remote(["dlq", "purge", "shop.DLT", "--yes"])
        #expect(r.status == 0 && r.stdout.contains("purged 2 records from dead-letter topic shop.DLT"), "\(r.stdout)\(r.stderr)")
        #expect(server.stop() == 0)
        r = try await embedded(["consume", "shop", "--format", "json"])
        #expect(r.lines.count == 2, "\(r.stdout)")
        #expect(try await embedded(["topic", "describe", "shop.DLT", "--json"]).stdout.contains(#""logStartOffset":2"#))
    }

    @Test func theAttachedDashboardRequeuesADeadLetterTopicOnce() async throws {
        let server = try KafkaListenerTests.Server(extra: ["--auto-create-topics"])
        defer { _ = server.stop() }
        #expect(try await WharfProcess.run(["topic", "create", "shop", "--partitions", "2", "--bootstrap", server.bootstrap]).status == 0)
        #expect(try await WharfProcess.run(["topic", "create", "shop.DLT", "--partitions", "1", "--bootstrap", server.bootstrap]).status == 0)
        try await Self.deadLetters(server)
        let tmux = try ClusterDashboardTmuxTests.dashboard(server.bootstrap)
        try await tmux.send("5")
        var screen = try await tmux.waitFor { ClusterDashboardTmuxTests.row("shop.DLT", in: $0)?.prefix(3) == ["shop.DLT", "topic", "2"] }
        #expect(screen.contains("bad JSON") || screen.contains("price missing"), "\(screen)")

        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("shop.DLT ·") && $0.contains("SEQ") && $0.contains("order-1") && $0.contains("order-2") }
        #expect(screen.contains("trace=t1  dead-letter convention=spring"), "\(screen)")
        try await tmux.send("j")
        screen = try await tmux.waitFor { $0.contains("#1 · id shop.DLT/0@1") }
        #expect(screen.contains("from shop/1@7") && screen.contains("dead-letter convention=kafkaConnect"), "Connect's origin, decoded: \(screen)")
        try await tmux.send("Escape")
        _ = try await tmux.waitFor { !$0.contains("SEQ") && ClusterDashboardTmuxTests.row("shop.DLT", in: $0) != nil }
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Requeue from shop.DLT") && $0.contains("all messages") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("2 message(s) will move (all messages)") }
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("requeued 2 record(s) from shop.DLT (2 to shop)") }
        #expect(screen.contains("requeued 2 record(s) from shop.DLT (2 to shop)"), "\(screen)")

        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Requeue from shop.DLT") && $0.contains("all messages") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("message(s) will move") || $0.contains("nothing to requeue") || $0.contains("0 message") }
        #expect(!screen.contains("2 message(s) will move"), "already requeued records are offered again: \(screen)")
        try await tmux.send("Escape")
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit") }
        let shop = try await WharfProcess.run(["dlq", "requeue", "shop.DLT", "--all", "--dry-run", "--bootstrap", server.bootstrap])
        #expect(shop.stdout.contains("would requeue 0 records"), "\(shop.stdout)\(shop.stderr)")
    }
}
