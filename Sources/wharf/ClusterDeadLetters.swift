import WharfCore
import WharfEngine
import WharfKafkaClient

/// Dead-letter topics over the Kafka protocol, with the engine's rules and results
/// (`DeadLetterTopicSummary.Builder`, `RequeueProgress` in the group `__wharf-requeue.<topic>`):
/// `wharf dlq --bootstrap` and the dashboard on a cluster use it. A topic is recognised by the
/// headers of its records only: a `dlq mark` declaration lives in a Wharf data directory's
/// topic metadata, which the protocol does not carry.
enum ClusterDeadLetters {
    /// Records read per Fetch round while scanning a partition.
    static let scanBatch = 500

    /// Summaries of the dead-letter topics among `topics` (internal ones skipped): one batched
    /// Fetch of every partition's oldest record decides, then one batched Fetch of the newest
    /// `sample` records of the dead-lettered partitions gives reasons and original topics.
    static func summaries(_ client: KafkaClient, topics: [String], sample: Int = 200) async throws -> [DeadLetterTopicSummary] {
        let metadata = try await client.refreshMetadata()
        let chosen = topics.compactMap { metadata.topic($0) }.filter { !$0.isInternal }
        let partitions = chosen.flatMap { t in t.partitions.map { TopicPartition(t.name, $0.partition) } }
        guard !partitions.isEmpty else { return [] }
        let bounds = try await client.logOffsets(partitions)
        let nonEmpty = partitions.filter { (bounds[$0]?.end ?? 0) > (bounds[$0]?.start ?? 0) }
        let firsts = try await first(client, nonEmpty.reduce(into: [:]) { $0[$1] = bounds[$1]!.start })

        var builders: [String: DeadLetterTopicSummary.Builder] = [:]
        var sampleFrom: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let b = bounds[tp] ?? (0, 0)
            guard b.end > b.start else { continue }
            if builders[tp.topic, default: .init()].addPartition(retained: b.end - b.start, first: firsts[tp]) {
                sampleFrom[tp] = max(b.start, b.end - Int64(sample))
            }
        }
        let samples = try await read(client, from: sampleFrom, until: bounds.mapValues(\.end), max: sample)
        for (tp, records) in samples { builders[tp.topic]?.addSample(records) }
        return chosen.compactMap { builders[$0.name]?.build(topic: $0.name) }
    }

    /// The oldest `max` records of the topic, partition by partition, as `dlq peek` shows them.
    static func records(_ client: KafkaClient, topic: String, max: Int) async throws -> [(partition: Int32, record: StoredRecord)] {
        let tps = try await partitions(client, topic)
        let bounds = try await client.logOffsets(tps)
        var out: [(partition: Int32, record: StoredRecord)] = []
        for tp in tps where out.count < max {
            let b = bounds[tp] ?? (0, 0)
            let read = try await read(client, from: [tp: b.start], until: [tp: b.end], max: max - out.count)
            out += (read[tp] ?? []).map { (tp.partition, $0) }
        }
        return out
    }

    /// Requeues like `Engine.requeueDeadLetters`: the selected records not yet requeued go to
    /// their original topic (the original partition when it exists, else by key) or `to`, with
    /// key, value and business headers; per partition the records are produced first and the
    /// progress committed after (at least once: a crash in between requeues that batch again).
    static func requeue(_ client: KafkaClient, topic: String, selection: DeadLetterTopicSelection, to override: String?,
                        dryRun: Bool) async throws -> DeadLetterRequeueResult {
        let tps = try await partitions(client, topic)
        var metadata = try await client.currentMetadata()
        if let override, metadata.topic(override) == nil {
            metadata = try await client.refreshMetadata()
            guard metadata.topic(override) != nil else { throw WharfError.unknownTopic(override) }
        }
        let group = Engine.requeueGroup(for: topic)
        let committed = try await client.committedWithMetadata(group: group)
        let bounds = try await client.logOffsets(tps)
        var result = DeadLetterRequeueResult(dryRun: dryRun)
        for tp in tps {
            let b = bounds[tp] ?? (0, 0)
            var progress = committed[tp].map { RequeueProgress(prefix: $0.offset, metadata: $0.metadata) } ?? RequeueProgress(prefix: 0)
            var next = max(progress.prefix, b.start)
            var moved: [Int64] = []
            var toProduce: [String: [Int32?: [Record]]] = [:]
            while next < b.end {
                let records = try await read(client, from: [tp: next], until: [tp: b.end], max: scanBatch)[tp] ?? []
                guard let last = records.last else { break }
                for record in records where !progress.isDone(record.offset) {
                    let origin = DeadLetterHeaders.parse(record.headers)
                    guard selection.matches(record, origin) else { continue }
                    guard let target = override ?? origin?.topic else {
                        result.withoutTarget.append(record.offset)
                        continue
                    }
                    result.moves.append(.init(partition: tp.partition, offset: record.offset, target: target))
                    moved.append(record.offset)
                    guard !dryRun else { continue }
                    guard let targetTopic = try await topicMetadata(client, target) else { throw WharfError.unknownTopic(target) }
                    let count = Int32(targetTopic.partitions.count)
                    let keep = override == nil ? origin?.partition.flatMap { $0 >= 0 && $0 < count ? $0 : nil } : nil
                    toProduce[target, default: [:]][keep, default: []].append(
                        Record(key: record.key, value: record.value, headers: DeadLetterHeaders.businessHeaders(record.headers)))
                }
                next = last.offset + 1
            }
            guard !dryRun, !moved.isEmpty else { continue }
            for (target, byPartition) in toProduce.sorted(by: { $0.key < $1.key }) {
                let count = Int32(try await topicMetadata(client, target)?.partitions.count ?? 1)
                for (kept, records) in byPartition.sorted(by: { ($0.key ?? -1) < ($1.key ?? -1) }) {
                    try await produce(client, topic: target, records: records, partition: kept, partitions: count)
                }
            }
            // Offsets below the log start can never come back: count them as done.
            progress.prefix = max(progress.prefix, b.start)
            progress.done.formUnion(moved)
            progress.done = progress.done.filter { $0 >= progress.prefix }
            progress.compact()
            var text = progress.metadata
            // Kafka's offset.metadata.max.bytes is 4096 by default: too scattered to record exactly
            // keeps the safe prefix only (a re-run may requeue some again: at least once).
            if text.utf8.count > GroupCoordinator.maxMetadataBytes { text = "" }
            try await client.commitOffsets(group: group, [tp: progress.prefix], metadata: [tp: text])
        }
        return result
    }

    /// Records retained over all partitions.
    static func retained(_ client: KafkaClient, topic: String) async throws -> Int64 {
        let bounds = try await client.logOffsets(try await partitions(client, topic))
        return bounds.values.reduce(0) { $0 + max(0, $1.end - $1.start) }
    }

    /// Deletes every partition's records up to its end; returns how many went.
    static func purge(_ client: KafkaClient, topic: String) async throws -> Int64 {
        let bounds = try await client.logOffsets(try await partitions(client, topic))
        let targets = bounds.filter { $0.value.end > $0.value.start }
        guard !targets.isEmpty else { return 0 }
        let starts = try await client.deleteRecords(targets.mapValues(\.end))
        return targets.reduce(0) { $0 + max(0, (starts[$1.key] ?? $1.value.start) - $1.value.start) }
    }

    // MARK: helpers

    static func partitions(_ client: KafkaClient, _ topic: String) async throws -> [TopicPartition] {
        guard let t = try await topicMetadata(client, topic) else { throw WharfError.unknownTopic(topic) }
        return t.partitions.map { TopicPartition(topic, $0.partition) }
    }

    static func topicMetadata(_ client: KafkaClient, _ topic: String) async throws -> ClusterMetadata.Topic? {
        if let t = try await client.currentMetadata().topic(topic) { return t }
        return try await client.refreshMetadata().topic(topic)
    }

    /// The record at `offset` (or the next one retained) of each partition: one Fetch per leader.
    static func first(_ client: KafkaClient, _ offsets: [TopicPartition: Int64]) async throws -> [TopicPartition: StoredRecord] {
        guard !offsets.isEmpty else { return [:] }
        let fetched = try await client.fetch(offsets, partitionMaxBytes: 1, maxRecords: 1)
        var out: [TopicPartition: StoredRecord] = [:]
        for (tp, from) in offsets { out[tp] = fetched[tp]?.records.first { $0.offset >= from } }
        return out
    }

    /// Up to `max` records of each partition from `from` until `until` (exclusive), fetching the
    /// partitions together and again only for those that have not got enough.
    static func read(_ client: KafkaClient, from: [TopicPartition: Int64], until: [TopicPartition: Int64],
                     max: Int) async throws -> [TopicPartition: [StoredRecord]] {
        var out: [TopicPartition: [StoredRecord]] = [:]
        var next = from.filter { $0.value < (until[$0.key] ?? 0) }
        while !next.isEmpty {
            let fetched = try await client.fetch(next, maxRecords: max)
            var again: [TopicPartition: Int64] = [:]
            for (tp, offset) in next {
                let end = until[tp] ?? 0
                let got = (fetched[tp]?.records ?? []).filter { $0.offset >= offset && $0.offset < end }
                out[tp, default: []] += got.prefix(max - (out[tp]?.count ?? 0))
                if let last = got.last, last.offset + 1 < end, (out[tp]?.count ?? 0) < max { again[tp] = last.offset + 1 }
            }
            next = again
        }
        return out
    }

    /// Produces to `partition`, or to the partition a Kafka producer picks for each key.
    static func produce(_ client: KafkaClient, topic: String, records: [Record], partition: Int32?, partitions: Int32) async throws {
        let now = SystemClock().nowMillis()
        if let partition {
            _ = try await client.produce(topic: topic, partition: partition, records: records, timestampMs: now)
            return
        }
        var byPartition: [Int32: [Record]] = [:]
        for (i, r) in records.enumerated() {
            let p = r.key.map { Murmur2.partition(forKey: $0, partitions: partitions) } ?? Int32(i % Int(partitions))
            byPartition[p, default: []].append(r)
        }
        for (p, batch) in byPartition.sorted(by: { $0.key < $1.key }) {
            _ = try await client.produce(topic: topic, partition: p, records: batch, timestampMs: now)
        }
    }
}
