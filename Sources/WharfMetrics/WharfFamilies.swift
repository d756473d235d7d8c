import WharfDashboard

/// Wharf's own families: what kafka_exporter has no name for (time lag and Burrow-style status,
/// queues, dead letters, outboxes, event readers), read from the same snapshot, plus what the
/// dashboard derives from successive snapshots (`Metrics`: status windows, dead-letter growth).
enum WharfFamilies {
    static func write(_ snapshot: ClusterSnapshot, derived metrics: Metrics, into out: inout PrometheusText) {
        writeSource(snapshot, into: &out)
        writeGroups(snapshot, derived: metrics, into: &out)
        writeQueues(snapshot, into: &out)
        writeDeadLetters(snapshot, derived: metrics, into: &out)
        writeOutboxes(snapshot, into: &out)
        writeEventReaders(snapshot, into: &out)
    }

    static func writeSource(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        out.family("wharf_source_up", .gauge, help: "1 if the last refresh of the source (data directory or cluster) succeeded, 0 if these values are from an earlier one.")
        out.sample("wharf_source_up", [], snapshot.sourceProblem == nil ? 1 : 0)
        out.family("wharf_snapshot_timestamp_seconds", .gauge, help: "When the source was last read (Unix time): every other value is as of then.")
        out.sample("wharf_snapshot_timestamp_seconds", [], Double(snapshot.timeMs) / 1000)
        out.family("wharf_topic_partition_size_bytes", .gauge, help: "Bytes of a partition's log on disk (absent when the broker does not tell).")
        for t in snapshot.topics {
            for p in t.partitions where p.sizeBytes >= 0 {
                out.sample("wharf_topic_partition_size_bytes", [("topic", t.name), ("partition", String(p.partition))], p.sizeBytes)
            }
        }
    }

    static func writeGroups(_ snapshot: ClusterSnapshot, derived metrics: Metrics, into out: inout PrometheusText) {
        out.family("wharf_consumergroup_time_lag_seconds", .gauge,
                   help: "How old the first record a consumer group has not consumed is (0 when caught up; absent when unknown).")
        for g in snapshot.groups {
            for p in g.partitions {
                guard let ms = p.timeLagMs else { continue }
                out.sample("wharf_consumergroup_time_lag_seconds", [("consumergroup", g.name), ("topic", p.topic), ("partition", String(p.partition))],
                           Double(ms) / 1000)
            }
        }
        out.family("wharf_consumergroup_max_time_lag_seconds", .gauge, help: "The consumer group's largest time lag over its partitions.")
        for g in snapshot.groups {
            guard let ms = g.maxTimeLagMs else { continue }
            out.sample("wharf_consumergroup_max_time_lag_seconds", [("consumergroup", g.name)], Double(ms) / 1000)
        }
        out.family("wharf_consumergroup_status", .gauge,
                   help: "Burrow's evaluation of the consumer group (its worst partition): 1 for the current status, 0 for the others.")
        for g in snapshot.groups {
            let current = metrics.status(group: g.name)
            for s in LagStatus.allCases {
                out.sample("wharf_consumergroup_status", [("consumergroup", g.name), ("status", s.label)], s == current ? 1 : 0)
            }
        }
    }

    static func writeQueues(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        let queues = snapshot.queues ?? []
        out.family("wharf_queue_messages", .gauge, help: "Messages in a queue by state (active, locked, deferred, scheduled), as Service Bus counts them.")
        for q in queues {
            for (state, n) in [("active", q.active), ("locked", q.locked), ("deferred", q.deferred), ("scheduled", q.scheduled)] {
                out.sample("wharf_queue_messages", [("queue", q.name), ("state", state)], n)
            }
        }
        out.family("wharf_queue_dead_lettered_messages", .gauge, help: "Messages in the queue's dead-letter subqueue.")
        for q in queues { out.sample("wharf_queue_dead_lettered_messages", [("queue", q.name)], q.deadLettered) }
        out.family("wharf_queue_oldest_message_age_seconds", .gauge, help: "Age of the queue's oldest message (absent when it is empty).")
        for q in queues {
            guard let ms = q.oldestAgeMs else { continue }
            out.sample("wharf_queue_oldest_message_age_seconds", [("queue", q.name)], Double(ms) / 1000)
        }
    }

    static func writeDeadLetters(_ snapshot: ClusterSnapshot, derived metrics: Metrics, into out: inout PrometheusText) {
        let entities = snapshot.deadLetters ?? []
        func labels(_ d: DeadLetterSnapshot) -> [(String, String)] { [("entity", d.entity), ("kind", d.isTopic ? "topic" : "queue")] }
        out.family("wharf_deadletter_messages", .gauge, help: "Messages in a dead-letter queue or dead-letter topic.")
        for d in entities { out.sample("wharf_deadletter_messages", labels(d), d.count) }
        out.family("wharf_deadletter_growth_per_minute", .gauge,
                   help: "Net change of a dead-letter entity's messages per minute over the last minute (negative after a requeue).")
        for d in entities {
            guard let growth = metrics.queues.growthPerMinute(d.entity) else { continue }
            out.sample("wharf_deadletter_growth_per_minute", labels(d), growth)
        }
        out.family("wharf_deadletter_oldest_age_seconds", .gauge, help: "Age of the oldest dead-lettered message (absent when none or unknown).")
        for d in entities {
            guard let ms = d.oldestAgeMs else { continue }
            out.sample("wharf_deadletter_oldest_age_seconds", labels(d), Double(ms) / 1000)
        }
    }

    static func writeOutboxes(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        let outboxes = snapshot.outboxes ?? []
        out.family("wharf_outbox_pending_rows", .gauge, help: "Outbox rows neither published nor dead.")
        for o in outboxes { out.sample("wharf_outbox_pending_rows", [("outbox", o.name)], o.pending) }
        out.family("wharf_outbox_oldest_pending_age_seconds", .gauge, help: "Age of the oldest pending outbox row (absent when none is pending).")
        for o in outboxes {
            guard let ms = o.oldestAgeMs else { continue }
            out.sample("wharf_outbox_oldest_pending_age_seconds", [("outbox", o.name)], Double(ms) / 1000)
        }
        out.family("wharf_outbox_dead_rows", .gauge, help: "Outbox rows that reached the attempt limit (wharf outbox retry-dead revives them).")
        for o in outboxes { out.sample("wharf_outbox_dead_rows", [("outbox", o.name)], o.dead) }
        out.family("wharf_outbox_failing_rows", .gauge, help: "Pending outbox rows that failed at least once and wait for a retry.")
        for o in outboxes { out.sample("wharf_outbox_failing_rows", [("outbox", o.name)], o.failing) }
        out.family("wharf_outbox_published_total", .counter, help: "Rows the outbox's relay published since it started.")
        for o in outboxes { out.sample("wharf_outbox_published_total", [("outbox", o.name)], o.publishedTotal) }
        out.family("wharf_outbox_publish_failures_total", .counter, help: "Failed publish attempts of the outbox's relay since it started.")
        for o in outboxes { out.sample("wharf_outbox_publish_failures_total", [("outbox", o.name)], o.failuresTotal) }
        out.family("wharf_outbox_relay_state", .gauge, help: "What the outbox's relay is doing: 1 for the current state, 0 for the others.")
        for o in outboxes {
            for s in [OutboxRelayStatus.running, .paused, .failing, .stopped] {
                out.sample("wharf_outbox_relay_state", [("outbox", o.name), ("state", s.label)], s == o.relay ? 1 : 0)
            }
        }
    }

    static func writeEventReaders(_ snapshot: ClusterSnapshot, into out: inout PrometheusText) {
        let readers = snapshot.events?.readers ?? []
        func labels(_ r: EventReaderSnapshot) -> [(String, String)] {
            [("reader", r.name), ("kind", r.kind.rawValue), ("source", r.source)]
        }
        out.family("wharf_event_reader_lag_events", .gauge, help: "Events a projection or subscription has not processed yet.")
        for r in readers { out.sample("wharf_event_reader_lag_events", labels(r), Int64(clamping: r.lagEvents)) }
        out.family("wharf_event_reader_lag_seconds", .gauge, help: "How far behind its source a projection or subscription is, in time.")
        for r in readers { out.sample("wharf_event_reader_lag_seconds", labels(r), r.lagSeconds) }
        out.family("wharf_event_reader_parked_events", .gauge, help: "Events a persistent subscription parked (replay parked retries them).")
        for r in readers { out.sample("wharf_event_reader_parked_events", labels(r), Int64(clamping: r.parked)) }
    }
}
