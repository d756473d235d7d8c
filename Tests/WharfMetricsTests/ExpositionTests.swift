import Foundation
import Testing
import WharfCore
import WharfDashboard
import WharfMetrics
import WharfTestSupport

/// The families written from a snapshot: kafka_exporter's names, labels and rules, Wharf's own,
/// the text format's escaping, and `promtool check metrics` on the result.
@Suite(.ownThread) struct ExpositionTests {
    /// A snapshot with one of everything the families read.
    static func richSnapshot(timeMs: Int64 = 1_700_000_000_000) -> ClusterSnapshot {
        let orders = TopicSnapshot(name: "orders", partitions: [
            PartitionSnapshot(partition: 0, logStart: 5, logEnd: 120, sizeBytes: 4_096),
            PartitionSnapshot(partition: 1, logStart: 0, logEnd: 80, sizeBytes: 2_048),
        ])
        let odd = TopicSnapshot(name: "we\"ird\\topic", partitions: [PartitionSnapshot(partition: 0, logStart: 0, logEnd: 3, sizeBytes: -1)])
        let billing = GroupSnapshot(name: "billing", state: "Stable",
                                    members: [GroupMember(memberId: "m1", clientId: "c", host: "/127.0.0.1")],
                                    partitions: [
                                        GroupPartitionSnapshot(topic: "orders", partition: 0, committed: 100, logEnd: 120, lag: 20, timeLagMs: 1_500),
                                        GroupPartitionSnapshot(topic: "orders", partition: 1, committed: nil, logEnd: 80, lag: 80),
                                    ])
        // Assigned to a topic it never committed on: kafka_exporter leaves that topic out.
        let idle = GroupSnapshot(name: "idle", state: "Empty",
                                 partitions: [GroupPartitionSnapshot(topic: "orders", partition: 0, committed: nil, logEnd: 120, lag: 115)])
        return ClusterSnapshot(
            timeMs: timeMs, source: "test", topics: [orders, odd], groups: [billing, idle],
            deadLetters: [DeadLetterSnapshot(entity: "emails/$deadletterqueue", count: 7, oldestAgeMs: 60_000)],
            outboxes: [OutboxSnapshot(name: "order-service", pending: 3, oldestAgeMs: 2_000, dead: 1, failing: 1, publishedTotal: 40,
                                      failuresTotal: 2, relay: .paused)],
            queues: [QueueSnapshot(name: "emails", active: 4, locked: 2, deferred: 1, scheduled: 5, deadLettered: 7, oldestAgeMs: 9_000)],
            events: EventsSnapshot(totalEvents: 10, categories: [], readers: [
                EventReaderSnapshot(name: "balances", kind: .projection, source: "$ce-account", state: .running, lagEvents: 4, lagSeconds: 1.5),
            ]),
            brokers: [BrokerSnapshot(id: 0, address: "embedded", isController: true, leaderPartitions: 3, replicas: 3, outOfSync: 0)])
    }

    static func render(_ snapshot: ClusterSnapshot = richSnapshot()) -> String {
        var derived = Metrics()
        derived.ingest(snapshot)
        return MetricsFeed.render(snapshot, derived: derived)
    }

    static func lines(_ text: String) -> Set<String> { Set(text.split(separator: "\n").map(String.init)) }

    @Test func kafkaExporterTopicFamiliesHaveItsNamesAndLabels() {
        let lines = Self.lines(Self.render())
        for expected in [
            "kafka_brokers 1",
            "kafka_broker_info{address=\"embedded\",id=\"0\"} 1",
            "kafka_topic_partitions{topic=\"orders\"} 2",
            "kafka_topic_partition_current_offset{topic=\"orders\",partition=\"0\"} 120",
            "kafka_topic_partition_oldest_offset{topic=\"orders\",partition=\"0\"} 5",
            "kafka_topic_partition_leader{topic=\"orders\",partition=\"1\"} 0",
            "kafka_topic_partition_replicas{topic=\"orders\",partition=\"1\"} 1",
            "kafka_topic_partition_in_sync_replica{topic=\"orders\",partition=\"1\"} 1",
            "kafka_topic_partition_under_replicated_partition{topic=\"orders\",partition=\"1\"} 0",
            "# TYPE kafka_topic_partition_current_offset gauge",
            "# HELP kafka_consumergroup_lag Current Approximate Lag of a ConsumerGroup at Topic/Partition",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
    }

    @Test func consumerGroupFamiliesFollowKafkaExporterRules() {
        let text = Self.render()
        let lines = Self.lines(text)
        for expected in [
            "kafka_consumergroup_members{consumergroup=\"billing\"} 1",
            "kafka_consumergroup_members{consumergroup=\"idle\"} 0",
            "kafka_consumergroup_current_offset{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"} 100",
            // No commit on partition 1: -1 for both, and out of the sums.
            "kafka_consumergroup_current_offset{consumergroup=\"billing\",topic=\"orders\",partition=\"1\"} -1",
            "kafka_consumergroup_lag{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"} 20",
            "kafka_consumergroup_lag{consumergroup=\"billing\",topic=\"orders\",partition=\"1\"} -1",
            "kafka_consumergroup_lag_sum{consumergroup=\"billing\",topic=\"orders\"} 20",
            "kafka_consumergroup_current_offset_sum{consumergroup=\"billing\",topic=\"orders\"} 100",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
        // A topic the group never committed on is not reported for it.
        #expect(!text.contains("kafka_consumergroup_lag{consumergroup=\"idle\""))
        #expect(!text.contains("kafka_consumergroup_lag_sum{consumergroup=\"idle\""))
    }

    @Test func wharfFamiliesCoverTimeLagStatusQueuesDeadLettersOutboxesAndReaders() {
        let lines = Self.lines(Self.render())
        for expected in [
            "wharf_source_up 1",
            "wharf_snapshot_timestamp_seconds 1700000000",
            "wharf_consumergroup_time_lag_seconds{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"} 1.5",
            "wharf_consumergroup_max_time_lag_seconds{consumergroup=\"billing\"} 1.5",
            "wharf_consumergroup_status{consumergroup=\"billing\",status=\"OK\"} 1",
            "wharf_consumergroup_status{consumergroup=\"billing\",status=\"STOP\"} 0",
            "wharf_queue_messages{queue=\"emails\",state=\"active\"} 4",
            "wharf_queue_messages{queue=\"emails\",state=\"locked\"} 2",
            "wharf_queue_messages{queue=\"emails\",state=\"scheduled\"} 5",
            "wharf_queue_dead_lettered_messages{queue=\"emails\"} 7",
            "wharf_deadletter_messages{entity=\"emails/$deadletterqueue\",kind=\"queue\"} 7",
            "wharf_deadletter_oldest_age_seconds{entity=\"emails/$deadletterqueue\",kind=\"queue\"} 60",
            "wharf_outbox_pending_rows{outbox=\"order-service\"} 3",
            "wharf_outbox_oldest_pending_age_seconds{outbox=\"order-service\"} 2",
            "wharf_outbox_dead_rows{outbox=\"order-service\"} 1",
            "wharf_outbox_published_total{outbox=\"order-service\"} 40",
            "wharf_outbox_relay_state{outbox=\"order-service\",state=\"paused\"} 1",
            "wharf_outbox_relay_state{outbox=\"order-service\",state=\"running\"} 0",
            "wharf_event_reader_lag_events{reader=\"balances\",kind=\"projection\",source=\"$ce-account\"} 4",
            "wharf_event_reader_lag_seconds{reader=\"balances\",kind=\"projection\",source=\"$ce-account\"} 1.5",
            "wharf_topic_partition_size_bytes{topic=\"orders\",partition=\"0\"} 4096",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
        // An unknown size is left out, not reported as -1.
        #expect(!lines.contains { $0.hasPrefix("wharf_topic_partition_size_bytes{topic=\"we") })
    }

    @Test func deadLetterGrowthComesFromSuccessiveSnapshots() async {
        let feed = MetricsFeed()
        var snapshot = Self.richSnapshot(timeMs: 1_700_000_000_000)
        await feed.record(snapshot)
        snapshot.timeMs += 30_000
        snapshot.deadLetters = [DeadLetterSnapshot(entity: "emails/$deadletterqueue", count: 17)]
        await feed.record(snapshot)
        let lines = Self.lines(await feed.exposition())
        // 10 more in 30 s: 20 per minute.
        #expect(lines.contains("wharf_deadletter_growth_per_minute{entity=\"emails/$deadletterqueue\",kind=\"queue\"} 20"))
        #expect(lines.contains("wharf_deadletter_messages{entity=\"emails/$deadletterqueue\",kind=\"queue\"} 17"))
    }

    @Test func labelValuesAndHelpAreEscaped() {
        var out = PrometheusText()
        out.family("x", .gauge, help: "a \\ b\nc")
        out.sample("x", [("topic", "q\"uo\\te\nnl")], 1)
        #expect(out.text == "# HELP x a \\\\ b\\nc\n# TYPE x gauge\nx{topic=\"q\\\"uo\\\\te\\nnl\"} 1\n")
        #expect(Self.render().contains("kafka_topic_partitions{topic=\"we\\\"ird\\\\topic\"} 1"))
    }

    @Test func histogramBucketsAreCumulativeAndCountEqualsInf() {
        let h = LatencyHistogram()
        h.observe(nanos: 50_000)          // <= 100 µs
        h.observe(nanos: 100_000)         // <= 100 µs (bounds are inclusive)
        h.observe(nanos: 3_000_000)       // <= 5 ms
        h.observe(nanos: 60_000_000_000)  // over 10 s: +Inf only
        var out = PrometheusText()
        out.family("lat_seconds", .histogram, help: "h")
        out.histogram("lat_seconds", [("api", "Produce")], h.snapshot)
        let lines = Self.lines(out.text)
        #expect(lines.contains("lat_seconds_bucket{api=\"Produce\",le=\"0.0001\"} 2"))
        #expect(lines.contains("lat_seconds_bucket{api=\"Produce\",le=\"0.0025\"} 2"))
        #expect(lines.contains("lat_seconds_bucket{api=\"Produce\",le=\"0.005\"} 3"))
        #expect(lines.contains("lat_seconds_bucket{api=\"Produce\",le=\"10\"} 3"))
        #expect(lines.contains("lat_seconds_bucket{api=\"Produce\",le=\"+Inf\"} 4"))
        #expect(lines.contains("lat_seconds_count{api=\"Produce\"} 4"))
        let sum = lines.first { $0.hasPrefix("lat_seconds_sum{api=\"Produce\"} ") }.flatMap { Double($0.split(separator: " ")[1]) }
        #expect(sum.map { abs($0 - 60.00315) < 1e-9 } == true)
    }

    @Test func beforeTheFirstRefreshOnlySourceDownIsReported() async {
        let text = await MetricsFeed().exposition()
        #expect(Self.lines(text).contains("wharf_source_up 0"))
        #expect(Self.lines(text).contains("kafka_brokers 0"))
    }

    /// promtool (Debian's `prometheus` package) parses and lints the exposition. Its only
    /// complaints may be the `_sum` suffix of two kafka_exporter names, kept so its Grafana
    /// boards work.
    @Test func promtoolCheckMetricsAcceptsTheExposition() async throws {
        var text = Self.render()
        var live = PrometheusText()
        live.family("wharf_log_fsync_duration_seconds", .histogram, help: "h")
        live.histogram("wharf_log_fsync_duration_seconds", [], LatencyHistogram().snapshot)
        text += live.text
        let problems = try await Promtool.checkMetrics(text)
        #expect(problems.isEmpty, "promtool: \(problems)")
    }
}
