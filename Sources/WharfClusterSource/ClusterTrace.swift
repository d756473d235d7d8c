import WharfAdmin
import WharfCore
import WharfKafkaClient

/// `wharf trace --bootstrap`: the parts of a trace a Kafka cluster can answer, by the rules the
/// engine uses (`EventTraceBuilder`): its topics' records (read with batched Fetches, every
/// partition at once per round) and its groups' committed offsets. A cluster has no commit
/// times; `outbox` is the row the event started as, when the caller looked it up.
public enum ClusterTrace {
    /// Records asked of each partition per round.
    static let chunk = 2_000

    public static func trace(_ client: KafkaClient, query text: String, maxRecords: Int,
                             outbox: OutboxRowState? = nil) async throws -> EventTrace {
        var builder = EventTraceBuilder(query: .init(parsing: text))
        let topics = try await ClusterTopics.describeAll(client, includeInternal: false)
        if case .record(let t, let p, let o) = builder.query {
            let tp = TopicPartition(t, p)
            guard let partition = topics.first(where: { $0.name == t })?.partitions.first(where: { $0.partition == p }) else {
                throw WharfError.unknownPartition(topic: t, partition: p)
            }
            let got = o < partition.logEndOffset ? try await ClusterRecordReader.read(client, [tp: .init(from: o, until: o + 1, limit: 1)]) : [:]
            guard let record = got[tp]?.first, record.offset == o else {
                throw WharfError.offsetOutOfRange(topic: t, partition: p, offset: o, logStart: partition.logStartOffset,
                                                  logEnd: partition.logEndOffset)
            }
            builder.observe(topic: t, partition: p, record)
        }
        var next: [TopicPartition: (from: Int64, until: Int64)] = [:]
        for t in topics {
            for p in t.partitions where p.logStartOffset < p.logEndOffset {
                next[TopicPartition(t.name, p.partition)] = (p.logStartOffset, p.logEndOffset)
            }
        }
        while !next.isEmpty {
            let budget = maxRecords - builder.scanned
            guard budget > 0 else { builder.truncated = true; break }
            let limit = max(1, min(chunk, budget / next.count))
            let got = try await ClusterRecordReader.read(client, next.mapValues { .init(from: $0.from, until: $0.until, limit: limit) })
            for (tp, range) in next {
                guard let records = got[tp], let last = records.last else { next[tp] = nil; continue }
                for r in records { builder.observe(topic: tp.topic, partition: tp.partition, r) }
                if last.offset + 1 >= range.until { next[tp] = nil } else { next[tp] = (last.offset + 1, range.until) }
            }
        }
        let groups = try await client.listGroups().map(\.groupId)
        let committed = try await client.offsetFetch(groups)
        let commits = Dictionary(uniqueKeysWithValues: committed.map { group, offsets in
            (group, offsets.filter { $0.value >= 0 }.mapValues { EventTrace.GroupCommit(group: group, committedOffset: $0, lastCommitMs: nil) })
        })
        return builder.trace(commits: commits, outbox: outbox)
    }
}
