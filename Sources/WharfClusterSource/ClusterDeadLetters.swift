import WharfAdmin
import WharfCore
import WharfKafkaClient

/// Dead-letter topics over the Kafka protocol, with the engine's rules and results
/// (`Engine.deadLetterSummary`, `requeueDeadLetters`, `purgeTopic`, `retainedRecords`).
///
/// Recognition is by headers only (Spring, Kafka Connect, KIP-1191): a topic declared with
/// `wharf dlq mark` keeps that declaration in the engine's topic metadata, which no Kafka API
/// exposes, so over the wire such a topic is a dead-letter topic only if its records carry
/// dead-letter headers, and a record without an original topic needs `--to`.
public enum ClusterDeadLetters {
    /// Summaries of the dead-letter topics among `topics` (non-internal); one batched Fetch per leader, not per partition.
    public static func summaries(_ client: KafkaClient, topics: [String], sample: Int = 200) async throws -> [DeadLetterTopicSummary] {
        var metadata = try await client.currentMetadata()
        if topics.contains(where: { metadata.topic($0) == nil }) { metadata = try await client.refreshMetadata() }
        let chosen = topics.compactMap { metadata.topic($0) }.filter { !$0.isInternal }
        let tps = chosen.flatMap { t in t.partitions.map { TopicPartition(t.name, $0.partition) } }
        guard !tps.isEmpty else { return [] }
        let logs = try await client.logOffsets(tps)
        // Round 1: the oldest record of every non-empty partition (recognition and age).
        var firstRanges: [TopicPartition: ClusterRecordReader.Range] = [:]
        for tp in tps { if let o = logs[tp], o.end > o.start { firstRanges[tp] = .init(from: o.start, until: o.end, limit: 1) } }
        let firsts = try await ClusterRecordReader.read(client, firstRanges, partitionMaxBytes: 64 << 10)
        // Round 2: the newest `sample` records of the partitions whose oldest record is a dead letter.
        var sampleRanges: [TopicPartition: ClusterRecordReader.Range] = [:]
        for (tp, records) in firsts {
            guard let first = records.first, DeadLetterHeaders.parse(first.headers) != nil, let o = logs[tp] else { continue }
            sampleRanges[tp] = .init(from: Swift.max(o.start, OffsetMath.subtract(o.end, Int64(sample))), until: o.end, limit: sample)
        }
        let samples = try await ClusterRecordReader.read(client, sampleRanges)

        // The engine's rules, shared: the oldest record decides, the sample gives reasons.
        return chosen.compactMap { t -> DeadLetterTopicSummary? in
            var builder = DeadLetterTopicSummary.Builder()
            for p in t.partitions {
                let tp = TopicPartition(t.name, p.partition)
                guard let o = logs[tp], o.end > o.start else { continue }
                if builder.addPartition(retained: Swift.max(0, OffsetMath.subtract(o.end, o.start)), first: firsts[tp]?.first) { builder.addSample(samples[tp] ?? []) }
            }
            return builder.build(topic: t.name)
        }
    }

    /// The oldest `max` records of each partition, partition by partition, as the engine's
    /// `dlq peek` reads them.
    public static func records(_ client: KafkaClient, topic: String, max: Int) async throws -> [(partition: Int32, record: StoredRecord)] {
        let t = try await topicMetadata(client, topic)
        let tps = t.partitions.map { TopicPartition(topic, $0.partition) }
        guard !tps.isEmpty, max > 0 else { return [] }
        let logs = try await client.logOffsets(tps)
        var ranges: [TopicPartition: ClusterRecordReader.Range] = [:]
        for tp in tps { if let o = logs[tp] { ranges[tp] = .init(from: o.start, until: o.end, limit: max) } }
        let read = try await ClusterRecordReader.read(client, ranges)
        return tps.flatMap { tp in (read[tp] ?? []).map { (tp.partition, $0) } }
    }

    /// `Engine.requeueDeadLetters` over the wire, with the same bookmark and the same
    /// exactly-once protocol: per chunk of the dead-letter topic, the progress is committed to
    /// `__wharf-requeue.<topic>` (an administrative OffsetCommit; that group never has members)
    /// with the chunk's intents (each target partition's high watermark, from ListOffsets), the
    /// records are produced (key, value, business headers, `wharf.requeued-from`) by an
    /// idempotent producer (a retried Produce is not appended twice), and the
    /// progress is committed again without intents. A run that finds intents scans those ranges
    /// (Fetch) for its provenance headers first. The embedded CLI and this one read and write the
    /// same progress, so neither requeues twice what the other did.
    public static func requeue(_ client: KafkaClient, topic: String, selection: DeadLetterTopicSelection, to override: String?,
                        dryRun: Bool, clock: any WallClock) async throws -> DeadLetterRequeueResult {
        let t = try await topicMetadata(client, topic)
        if let override { _ = try await topicMetadata(client, override) }
        let group = RequeueRules.group(for: topic)
        let committed = try await client.offsetFetchWithMetadata(group: group)
        let tps = t.partitions.map { TopicPartition(topic, $0.partition) }
        let logs = try await client.logOffsets(tps)
        let partitioner = Partitioner()
        let now = clock.nowMillis()
        var moves: [DeadLetterRequeueResult.Move] = []
        var withoutTarget: [Int64] = []
        // Idempotent, so a Produce retried after a lost answer is not appended twice; asked for
        // only when there is something to produce.
        var producer: ProducerIdentity?
        var sequences: [TopicPartition: Int32] = [:]
        for tp in tps {
            let (logStart, end) = logs[tp] ?? (0, 0)
            var progress = try committed[tp].map {
                try RequeueProgress(prefix: $0.offset, metadata: $0.metadata, retained: logStart..<Swift.max(logStart, end), partition: tp)
            } ?? RequeueProgress(prefix: 0)
            func commit() async throws {
                try await client.commitOffsets(group: group, withMetadata: [tp: (progress.prefix, progress.committableMetadata)])
            }
            if !progress.intents.isEmpty {
                // A run before this one stopped mid-chunk: what it produced is done.
                progress.markDone(try await recoverRequeued(client, progress.intents, from: tp), logStart: logStart)
                progress.intents = []
                if !dryRun { try await commit() }
            }
            var next = Swift.max(progress.prefix, logStart)
            while next < end {
                // One Produce per target partition per chunk read, so a large dead-letter topic
                // is never held in memory whole.
                let records = try await ClusterRecordReader.read(client, [tp: .init(from: next, until: end, limit: 500)])[tp] ?? []
                guard let last = records.last else { break }
                next = last.offset + 1
                let selected = RequeueRules.select(records, progress: progress, selection: selection, to: override)
                withoutTarget += selected.withoutTarget
                moves += selected.moves.map { .init(partition: tp.partition, offset: $0.record.offset, target: $0.target) }
                if dryRun { continue }
                var chunk = RequeueChunk()
                for move in selected.moves {
                    let count = Int32(try await topicMetadata(client, move.target).partitions.count)
                    let destination = RequeueRules.destination(move, partitions: count, redirected: override != nil, partitioner: partitioner)
                    chunk.add(RequeueProvenance.requeued(move.record, from: topic, partition: tp.partition), offset: move.record.offset, to: destination)
                }
                guard !chunk.isEmpty else { continue }
                let ends = try await client.listOffsets(chunk.destinations, timestamp: KafkaClient.latestTimestamp)
                progress.intents = chunk.destinations.map { RequeueIntent(destination: $0, startOffset: ends[$0] ?? 0, count: chunk.records[$0]!.count) }
                try await commit()
                if producer == nil { producer = try await client.initProducerId() }
                for d in chunk.destinations {
                    let records = chunk.records[d]!
                    _ = try await client.produce(topic: d.topic, partition: d.partition, records: records, timestampMs: now,
                                                 idempotent: (producer!, sequences[d, default: 0]))
                    sequences[d, default: 0] += Int32(records.count)
                }
                progress.intents = []
                progress.markDone(chunk.offsets, logStart: logStart)
                try await commit()
            }
        }
        return .init(dryRun: dryRun, moves: moves, withoutTarget: withoutTarget)
    }

    /// The dead-letter offsets of `source` whose requeued copies sit in the intents' target
    /// ranges (read with Fetch, at most the chunk plus `RequeueProvenance.scanSlack` records).
    public static func recoverRequeued(_ client: KafkaClient, _ intents: [RequeueIntent], from source: TopicPartition) async throws -> [Int64] {
        var found: [Int64] = []
        // A target topic deleted since has nothing to find; a partition without a leader cannot
        // be read, and guessing would requeue its records twice, so the requeue waits for it.
        let metadata = try await client.refreshMetadata()
        let present = intents.filter { metadata.leader(of: $0.destination) != nil }
        if let offline = present.first(where: { metadata.leader(of: $0.destination)! < 0 }) {
            throw KafkaClientError.refused("cannot finish the interrupted requeue of \(source.topic): \(offline.destination) has no leader; try again when it has")
        }
        let ends = present.isEmpty ? [:] : try await client.logOffsets(present.map(\.destination))
        for intent in present {
            guard let (start, end) = ends[intent.destination] else { continue }
            var next = Swift.max(intent.startOffset, start)
            let until = Swift.min(end, OffsetMath.add(intent.startOffset, Int64(intent.count) + Int64(RequeueProvenance.scanSlack)))
            var seen = 0
            while seen < intent.count, next < until {
                let records = try await ClusterRecordReader.read(client, [intent.destination: .init(from: next, until: until, limit: 500)])[intent.destination] ?? []
                guard let last = records.last else { break }
                let copies = RequeueProvenance.offsets(in: records, from: source.topic, partition: source.partition)
                found += copies
                seen += copies.count
                next = last.offset + 1
            }
        }
        return found
    }

    /// Records retained in `topic` over all partitions (log end minus log start).
    public static func retained(_ client: KafkaClient, topic: String) async throws -> Int64 {
        let t = try await topicMetadata(client, topic)
        let logs = try await client.logOffsets(t.partitions.map { TopicPartition(topic, $0.partition) })
        return OffsetMath.sum(logs.values.lazy.map { Swift.max(0, OffsetMath.subtract($0.end, $0.start)) })
    }

    /// DeleteRecords up to the high watermark (-1) of every partition; returns how many went.
    public static func purge(_ client: KafkaClient, topic: String) async throws -> Int64 {
        let t = try await topicMetadata(client, topic)
        let tps = t.partitions.map { TopicPartition(topic, $0.partition) }
        guard !tps.isEmpty else { return 0 }
        let before = try await client.logOffsets(tps)
        let after = try await client.deleteRecords(Dictionary(uniqueKeysWithValues: tps.map { ($0, Int64(-1)) }))
        return OffsetMath.sum(tps.lazy.map { Swift.max(0, OffsetMath.subtract(after[$0] ?? 0, before[$0]?.start ?? 0)) })
    }

    /// The topic's metadata (refreshed once when not cached), or the engine's unknown-topic error.
    public static func topicMetadata(_ client: KafkaClient, _ name: String) async throws -> ClusterMetadata.Topic {
        if let t = try await client.currentMetadata().topic(name) { return t }
        guard let t = try await client.refreshMetadata().topic(name) else { throw WharfError.unknownTopic(name) }
        return t
    }
}
