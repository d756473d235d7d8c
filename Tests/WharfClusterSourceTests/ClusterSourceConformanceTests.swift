import Foundation
import Logging
import Testing
import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfEngine
import WharfKafkaClient
import WharfKafkaServer

/// One suite, two sources, as nats-server runs `store_test.go` over its memory and file stores:
/// the embedded engine (`EngineSource`), and a Kafka-protocol cluster (`KafkaClusterSource`, over
/// a `KafkaServer` on 127.0.0.1 port 0 in front of an engine). Each test builds the same data in
/// a fresh engine and expects the same answers, literally, from either source: topics, lags,
/// reset previews and resets, purges, dead-letter summaries and requeues.
@Suite struct ClusterSourceConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case engine, kafkaCluster
        var testDescription: String { rawValue }
    }

    /// The data every test starts from:
    /// - "orders", 3 partitions: 4, 6 and 2 records;
    /// - "payments.DLT", 1 partition: 3 Kafka Connect dead letters from orders/1 (two "bad
    ///   amount", one "timeout");
    /// - group "billing": committed orders/0 at 3 and orders/1 at 6, nothing on orders/2.
    final class Fixture {
        let dir = NSTemporaryDirectory() + "wharf-conformance-\(UUID().uuidString)"
        let clock = ManualClock()
        let engine: Engine
        private(set) var server: KafkaServer?
        private(set) var client: KafkaClient?
        private(set) var source: (any ClusterSource)!

        init(_ kind: Kind) async throws {
            engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), clock: clock, logger: Logger(label: "test"))
            try engine.createTopic("orders", .init(partitions: 3))
            for (p, count) in [(0, 4), (1, 6), (2, 2)] {
                _ = try engine.produce(topic: "orders", records: (0..<count).map { Record(key: nil, value: "order \(p)-\($0)") }, partition: Int32(p))
            }
            try engine.createTopic("payments.DLT", .init(partitions: 1))
            let dead = ["bad amount", "bad amount", "timeout"].enumerated().map { i, reason in
                Record(key: nil, value: "payment \(i)", headers: [
                    RecordHeader("__connect.errors.topic", "orders"), RecordHeader("__connect.errors.partition", "1"),
                    RecordHeader("__connect.errors.offset", "\(i)"), RecordHeader("__connect.errors.exception.message", reason),
                ])
            }
            _ = try engine.produce(topic: "payments.DLT", records: dead, partition: 0)
            try await engine.coordinator.commit(groupId: "billing", generationId: -1, memberId: "",
                                                offsets: [TopicPartition("orders", 0): (3, ""), TopicPartition("orders", 1): (6, "")])
            switch kind {
            case .engine:
                source = EngineSource(engine: engine)
            case .kafkaCluster:
                var config = KafkaServer.Configuration()
                config.port = 0
                let server = KafkaServer(engine: engine, configuration: config, logger: Logger(label: "test"))
                let port = try await server.start()
                let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
                self.server = server
                self.client = client
                source = KafkaClusterSource(client: client, clock: clock)
            }
        }

        /// Stops what the test started (the client and server first, then the engine).
        func stop() async {
            await client?.close()
            await server?.stop()
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }

        /// Each partition's (log start, log end) of a topic, as the source describes it.
        func bounds(_ topic: String) async throws -> [[Int64]] {
            let t = try #require(try await source.describeTopics(includeInternal: false).first { $0.name == topic })
            return t.partitions.map { [$0.logStartOffset, $0.logEndOffset] }
        }

        /// (partition, committed, log end, lag) per row of the group's lag.
        func lagRows(_ group: String) async throws -> [[Int64?]] {
            try await source.groupLag(group).partitions.map { [Int64($0.partition), $0.committedOffset, $0.logEndOffset, $0.lag] }
        }
    }

    static func with(_ kind: Kind, _ body: (Fixture) async throws -> Void) async throws {
        let f = try await Fixture(kind)
        do {
            try await body(f)
        } catch {
            await f.stop()
            throw error
        }
        await f.stop()
    }

    @Test(arguments: Kind.allCases)
    func topics(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            let topics = try await f.source.describeTopics(includeInternal: false)
            #expect(topics.map(\.name) == ["orders", "payments.DLT"])
            #expect(topics.allSatisfy { !$0.isInternal })
            #expect(try await f.bounds("orders") == [[0, 4], [0, 6], [0, 2]])
            #expect(topics.map(\.records) == [12, 3])
            // Internal topics only when asked for.
            #expect(try await f.source.describeTopics(includeInternal: true).contains { $0.isInternal && $0.name == "__consumer_offsets" })
        }
    }

    /// `topic create` and `produce` through the source: the settings given reach the topic, keyed
    /// records land where Kafka's partitioner puts them, and bad targets are refused before any
    /// record is appended.
    @Test(arguments: Kind.allCases)
    func topicCreationAndAppends(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            try await f.source.createTopic("audit", NewTopic(partitions: 2, retentionMs: 60_000, retentionBytes: 1 << 20))
            let audit = try await f.source.describeTopic("audit")
            let settings: [Int64] = [Int64(audit.partitions.count), audit.retentionMs, audit.retentionBytes]
            #expect(settings == [2, 60_000, 1_048_576])
            let appender = try await f.source.openAppender(topic: "audit", partition: nil, create: false)
            let keyed = try await appender.append([Record(key: "k", value: "1"), Record(key: "k", value: "2")])
            let p = Partitioner().partition(forKey: Array("k".utf8), partitions: 2)
            let keyedAt: [[Int64]] = keyed.map { [Int64($0.partition), $0.base, $0.last] }
            #expect(keyedAt == [[Int64(p), 0, 1]])
            let pinned = try await f.source.openAppender(topic: "orders", partition: 2, create: false)
            let pinnedAt: [[Int64]] = try await pinned.append([Record(key: nil, value: "x")]).map { [Int64($0.partition), $0.base] }
            #expect(pinnedAt == [[2, 2]])
            await #expect(throws: (any Error).self) { try await f.source.openAppender(topic: "missing", partition: nil, create: false) }
            _ = try await f.source.openAppender(topic: "made", partition: nil, create: true)
            #expect(try await f.source.describeTopics(includeInternal: false).contains { $0.name == "made" })
        }
    }

    @Test(arguments: Kind.allCases)
    func oneTopicGroupSummariesAndGroupDeletion(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            let orders = try await f.source.describeTopic("orders")
            #expect(orders == (try await f.source.describeTopics(includeInternal: false).first { $0.name == "orders" }))
            await #expect(throws: (any Error).self) { try await f.source.describeTopic("missing") }
            let groups = try await f.source.groupSummaries()
            #expect(groups.map { [$0.group, $0.state, "\($0.members)", "\($0.totalLag)"] } == [["billing", "Empty", "0", "3"]])
            #expect(try await f.source.retainedRecords(topic: "orders") == 12)
            _ = try await f.source.deleteRecords(topic: "orders", partition: 1, before: 4)
            #expect(try await f.source.retainedRecords(topic: "orders") == 8)
            let brokers = try await f.source.describeBrokers()
            #expect(brokers.count == 1 && brokers.allSatisfy(\.isOnline))
            #expect(brokers.first.map { $0.leaderPartitions >= 4 && $0.outOfSync == 0 } == true, "orders and payments.DLT at least")
            try await f.source.deleteGroup("billing")
            #expect(try await f.source.groupSummaries().isEmpty)
        }
    }

    @Test(arguments: Kind.allCases)
    func topicReadsAndGroupMembers(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            var read: [String] = []
            try await f.source.readTopic("orders", partition: 1, from: .offset(4), limit: 10) { read.append("\($0.partition)/\($0.record.offset)") }
            #expect(read == ["1/4", "1/5"])
            read = []
            try await f.source.readTopic("orders", partition: nil, from: .earliest, limit: 5) { read.append("\($0.partition)/\($0.record.offset)") }
            #expect(read == ["0/0", "0/1", "0/2", "0/3", "1/0"], "partition by partition, up to the limit")
            await #expect(throws: (any Error).self) { try await f.source.readTopic("orders", partition: 1, from: .offset(7), limit: 1) { _ in } }
            await #expect(throws: (any Error).self) { try await f.source.readTopic("orders", partition: 9, from: .earliest, limit: 1) { _ in } }
            await #expect(throws: (any Error).self) { try await f.source.readTopic("missing", partition: nil, from: .earliest, limit: 1) { _ in } }
            await #expect(throws: (any Error).self) { _ = try await f.source.joinGroup("g", topics: ["missing"], clientId: "test", startAt: .earliest) }

            // A member of a new group gets every partition of the topic and reads from the start.
            let member = try await f.source.joinGroup("fresh", topics: ["payments.DLT"], clientId: "test", startAt: .earliest)
            var offsets: [Int64] = []
            for _ in 0..<5 where offsets.count < 3 { offsets += try await member.poll(maxRecords: 10).map(\.record.offset) }
            #expect(offsets == [0, 1, 2])
            try await member.commit([TopicPartition("payments.DLT", 0): 3])
            await member.close()
            #expect(try await f.lagRows("fresh") == [[0, 3, 3, 0]])
        }
    }

    @Test(arguments: Kind.allCases)
    func traces(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            // orders/1/2: below billing's commit (6) on orders/1, so consumed by it; the fixture's
            // third dead letter names it as its original (payments.DLT/0/2).
            let trace = try await f.source.trace("orders/1/2", outbox: nil, maxRecords: 1000)
            #expect(trace.hops.map(\.coordinates) == ["orders/1/2", "payments.DLT/0/2"])
            #expect(trace.hops.first?.consumedBy.map(\.group) == ["billing"])
            #expect(!trace.truncated)
            // A dead letter's trace leads back to the record it came from.
            let dead = try await f.source.trace("payments.DLT/0/0", outbox: nil, maxRecords: 1000)
            #expect(dead.hops.map(\.coordinates).contains("payments.DLT/0/0"))
        }
    }

    @Test(arguments: Kind.allCases)
    func lags(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            // Every partition of a topic the group committed to; no commit: lag from the log start.
            #expect(try await f.lagRows("billing") == [[0, 3, 4, 1], [1, 6, 6, 0], [2, nil, 2, 2]])
            let lag = try await f.source.groupLag("billing")
            #expect(lag.totalLag == 3 && lag.state == "Empty" && lag.members == 0)
            await #expect(throws: (any Error).self) { try await f.source.groupLag("nobody") }

            let overview = try await f.source.readOverview()
            #expect(overview.topics.filter { !$0.isInternal }.map(\.name) == ["orders", "payments.DLT"])
            #expect(overview.groups.map(\.group) == ["billing"])
            #expect(overview.groups.first?.partitions.map(\.lag) == [1, 0, 2])
            #expect(overview.groups.first?.members == [])
            #expect(!overview.brokers.isEmpty && overview.brokers.allSatisfy(\.isOnline))
        }
    }

    @Test(arguments: Kind.allCases)
    func resetPreviewsAndResets(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            func plan(_ spec: OffsetResetSpec, _ partitions: [Int32]? = nil) async throws -> [[Int64?]] {
                try await f.source.planReset(group: "billing", topic: "orders", partitions: partitions, to: spec).map {
                    [Int64($0.partition), $0.currentOffset, $0.newOffset, $0.recordsToReread]
                }
            }
            #expect(try await plan(.earliest) == [[0, 3, 0, 3], [1, 6, 0, 6], [2, nil, 0, 0]])
            #expect(try await plan(.latest) == [[0, 3, 4, -1], [1, 6, 6, 0], [2, nil, 2, -2]])
            // Clamped into the partition's range, as Kafka does.
            #expect(try await plan(.shiftBy(-5)) == [[0, 3, 0, 3], [1, 6, 1, 5], [2, nil, 0, 0]])
            #expect(try await plan(.offset(5), [0, 1]) == [[0, 3, 4, -1], [1, 6, 5, 1]])
            // Every record is as old as the clock: a time after it finds the log end.
            #expect(try await plan(.datetime(f.clock.nowMillis() + 60_000), [0]) == [[0, 3, 4, -1]])
            #expect(try await plan(.byDuration(60_000), [0]) == [[0, 3, 0, 3]])
            await #expect(throws: (any Error).self) { try await plan(.earliest, [7]) }
            // The preview changed nothing; the reset commits exactly the plan.
            #expect(try await f.lagRows("billing") == [[0, 3, 4, 1], [1, 6, 6, 0], [2, nil, 2, 2]])
            let rows = try await f.source.planReset(group: "billing", topic: "orders", partitions: [0, 1], to: .earliest)
            let result = try await f.source.executeReset(group: "billing", plan: rows)
            #expect(result.rows == rows && !result.fencedLiveMembers)
            #expect(try await f.lagRows("billing") == [[0, 0, 4, 4], [1, 0, 6, 6], [2, nil, 2, 2]])
        }
    }

    @Test(arguments: Kind.allCases)
    func purges(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            let deletion = try await f.source.deleteRecords(topic: "orders", partition: 1, before: 4)
            #expect(deletion == RecordDeletion(previousLogStart: 0, logStart: 4) && deletion.deleted == 4)
            #expect(try await f.bounds("orders") == [[0, 4], [4, 6], [0, 2]])
            // Records below the log start are gone; a read from 0 starts at 4.
            #expect(try await f.source.readRecords(topic: "orders", partition: 1, from: .offset(0), max: 10).map(\.offset) == [4, 5])
            #expect(try await f.source.readRecords(topic: "orders", partition: 1, from: .offset(5), max: 10).map(\.value)
                        == [Array("order 1-5".utf8)])
            // The lag counts from the log start when the commit fell below it.
            #expect(try await f.lagRows("billing") == [[0, 3, 4, 1], [1, 6, 6, 0], [2, nil, 2, 2]])
            #expect(try await f.source.purgeTopic("orders") == 8)
            #expect(try await f.bounds("orders") == [[4, 4], [6, 6], [2, 2]])
        }
    }

    @Test(arguments: Kind.allCases)
    func deadLettersAndRequeues(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            let summaries = try await f.source.deadLetterSummaries(topics: ["orders", "payments.DLT", "missing"], sample: 200)
            #expect(summaries.map(\.topic) == ["payments.DLT"])
            #expect(summaries.first?.count == 3)
            #expect(summaries.first?.originalTopics == ["orders"])
            #expect(summaries.first?.topReasons.map(\.reason) == ["bad amount", "timeout"])
            #expect(try await f.source.deadLetterRecords(topic: "payments.DLT", max: 2).map(\.record.offset) == [0, 1])

            let preview = try await f.source.requeueDeadLetters(topic: "payments.DLT", selection: .reason("bad amount"), to: nil, dryRun: true)
            #expect(preview.moves.map(\.offset) == [0, 1] && preview.moves.allSatisfy { $0.target == "orders" })
            #expect(try await f.bounds("orders") == [[0, 4], [0, 6], [0, 2]])

            let done = try await f.source.requeueDeadLetters(topic: "payments.DLT", selection: .reason("bad amount"), to: nil, dryRun: false)
            #expect(done.moves.map(\.offset) == [0, 1] && done.byTarget == ["orders": 2])
            // Back to the partition the headers name.
            #expect(try await f.bounds("orders") == [[0, 4], [0, 8], [0, 2]])
            let requeued = try await f.source.readRecords(topic: "orders", partition: 1, from: .offset(6), max: 10)
            #expect(requeued.map(\.value) == [Array("payment 0".utf8), Array("payment 1".utf8)])
            #expect(requeued.allSatisfy { $0.headers.allSatisfy { !DeadLetterHeaders.isDeadLetterHeader($0.key) } })

            // The bookmark is shared: nothing is requeued twice, and the rest still can be.
            let again = try await f.source.requeueDeadLetters(topic: "payments.DLT", selection: .all, to: nil, dryRun: false)
            #expect(again.moves.map(\.offset) == [2])
            #expect(try await f.bounds("orders") == [[0, 4], [0, 9], [0, 2]])
            #expect(try await f.source.readOverview().groups.map(\.group) == ["billing"])

            #expect(try await f.source.purgeTopic("payments.DLT") == 3)
            #expect(try await f.source.deadLetterSummaries(topics: ["payments.DLT"], sample: 200).isEmpty)
        }
    }

    /// `topic add-partitions`: the topic grows, its records stay where they were, the new
    /// partitions start empty and take appends at once; a count not above the current one and an
    /// unknown topic are refused.
    @Test(arguments: Kind.allCases)
    func partitionsAreAdded(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            let grown = try await f.source.addPartitions("orders", totalCount: 5)
            #expect(grown == (try await f.source.describeTopic("orders")))
            #expect(try await f.bounds("orders") == [[0, 4], [0, 6], [0, 2], [0, 0], [0, 0]])
            await #expect(throws: (any Error).self) { _ = try await f.source.addPartitions("orders", totalCount: 5) }
            await #expect(throws: (any Error).self) { _ = try await f.source.addPartitions("orders", totalCount: 4) }
            await #expect(throws: (any Error).self) { _ = try await f.source.addPartitions("missing", totalCount: 2) }
            let appender = try await f.source.openAppender(topic: "orders", partition: 4, create: false)
            let at: [[Int64]] = try await appender.append([Record(key: nil, value: "new")]).map { [Int64($0.partition), $0.base] }
            #expect(at == [[4, 0]])
            #expect(try await f.lagRows("billing") == [[0, 3, 4, 1], [1, 6, 6, 0], [2, nil, 2, 2], [3, nil, 0, 0], [4, nil, 1, 1]])
        }
    }

    @Test(arguments: Kind.allCases)
    func topicsAreCreatedAndDeleted(_ kind: Kind) async throws {
        try await Self.with(kind) { f in
            try await f.source.createTopic("audit", partitions: 2)
            #expect(try await f.bounds("audit") == [[0, 0], [0, 0]])
            try await f.source.deleteTopic("audit")
            #expect(try await f.source.describeTopics(includeInternal: false).map(\.name) == ["orders", "payments.DLT"])
        }
    }
}
