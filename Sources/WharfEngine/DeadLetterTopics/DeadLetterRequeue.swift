import WharfAdmin
import WharfCore

extension Engine {
    /// The internal group recording how far `topic` has been requeued (`RequeueRules.group`).
    public static func requeueGroup(for topic: String) -> String { RequeueRules.group(for: topic) }

    /// Re-produces selected records of a dead-letter topic to their original topic (or `to`):
    /// key, value and business headers (dead-letter headers stripped) plus a
    /// `wharf.requeued-from` header, onto the original partition when it exists, else placed by
    /// key. Records already requeued are skipped.
    ///
    /// Exactly once, crash-safe: per chunk of up to 500 records, the progress is committed with
    /// the chunk's intents (where each target partition ends now), then the records are
    /// appended, then the progress is committed again without intents. A run that finds intents
    /// (a crash in between) first scans those target ranges for the provenance headers and counts
    /// what it finds as done. The dead-letter records themselves stay (purge removes them).
    public func requeueDeadLetters(topic: String, selection: DeadLetterTopicSelection, to override: String? = nil,
                                   dryRun: Bool = false, actor: AuditActor = .thisProcess) async throws(WharfError) -> DeadLetterRequeueResult {
        guard !dryRun else { return try await requeueDeadLetters(topic: topic, selection: selection, to: override, dryRun: true, crash: nil) }
        return try await audit.audited(actor, AuditAction.deadLetterTopicRequeue, target: "topic:\(topic)", after: { r in
            var fields = r.byTarget.mapValues(String.init)
            fields["requeued"] = String(r.moves.count)
            fields["without-target"] = String(r.withoutTarget.count)
            return fields
        }) { () async throws(WharfError) -> DeadLetterRequeueResult in
            try await requeueDeadLetters(topic: topic, selection: selection, to: override, dryRun: false, crash: nil)
        }
    }

    /// Where a test can crash a requeue: after a chunk's intents are committed, and after each
    /// target partition's append (the last one is just before the progress commit).
    enum CrashPoint: Equatable {
        case afterIntent
        case afterAppend(TopicPartition)
    }

    /// `crash` runs at each `CrashPoint`; tests throw from it to stop the requeue there.
    func requeueDeadLetters(topic: String, selection: DeadLetterTopicSelection, to override: String?, dryRun: Bool,
                            crash: ((CrashPoint) throws(WharfError) -> Void)?) async throws(WharfError) -> DeadLetterRequeueResult {
        let t = try self.topic(topic)
        if let override { _ = try self.topic(override) }
        let group = Self.requeueGroup(for: topic)
        let committed = await coordinator.fetchOffsets(groupId: group, partitions: nil)
        var result = DeadLetterRequeueResult(dryRun: dryRun, moves: [], withoutTarget: [])
        for (index, log) in t.logs.enumerated() {
            let partition = Int32(index)
            let tp = TopicPartition(topic, partition)
            var progress = try committed[tp].map { c throws(WharfError) in
                try RequeueProgress(prefix: c.offset, metadata: c.metadata, retained: log.logStartOffset..<max(log.logStartOffset, log.logEndOffset), partition: tp)
            } ?? RequeueProgress(prefix: 0)
            func commit() async throws(WharfError) {
                try await coordinator.commit(groupId: group, generationId: -1, memberId: "",
                                             offsets: [tp: (offset: progress.prefix, metadata: progress.committableMetadata)])
            }
            if !progress.intents.isEmpty {
                // A run before this one crashed mid-chunk: what it appended is done.
                progress.markDone(try recoverRequeued(progress.intents, from: topic, partition: partition), logStart: log.logStartOffset)
                progress.intents = []
                if !dryRun { try await commit() }
            }
            var next = max(progress.prefix, log.logStartOffset)
            let end = log.logEndOffset
            while next < end {
                let records = try Self.decodeRecords(of: log, from: next, maxRecords: 500)
                guard let last = records.last else { break }
                next = last.offset + 1
                let selected = RequeueRules.select(records, progress: progress, selection: selection, to: override, fallback: t.meta.deadLetterFor)
                result.withoutTarget += selected.withoutTarget
                result.moves += selected.moves.map { .init(partition: partition, offset: $0.record.offset, target: $0.target) }
                if dryRun { continue }
                var chunk = RequeueChunk()
                for move in selected.moves {
                    let destination = RequeueRules.destination(move, partitions: try self.topic(move.target).meta.partitions,
                                                               redirected: override != nil, partitioner: partitioner)
                    chunk.add(RequeueProvenance.requeued(move.record, from: topic, partition: partition), offset: move.record.offset, to: destination)
                }
                guard !chunk.isEmpty else { continue }
                progress.intents = try chunk.destinations.map { d throws(WharfError) in
                    RequeueIntent(destination: d, startOffset: try self.log(d.topic, d.partition).logEndOffset, count: chunk.records[d]!.count)
                }
                try await commit()
                // Each step durable before the next goes to another log (they are synced
                // independently): the intents before the appends, so a power cut cannot keep
                // the copies but lose the intents (requeued twice); the appends before the
                // progress, so it cannot keep the progress but lose the copies (skipped forever).
                try self.log(Self.offsetsTopic, 0).ensureDurable()
                try crash?(.afterIntent)
                for d in chunk.destinations {
                    try produce(topic: d.topic, records: chunk.records[d]!, partition: d.partition)
                    try crash?(.afterAppend(d))
                }
                for d in chunk.destinations { try self.log(d.topic, d.partition).ensureDurable() }
                progress.intents = []
                progress.markDone(chunk.offsets, logStart: log.logStartOffset)
                try await commit()
            }
        }
        return result
    }

    /// The dead-letter offsets whose requeued copies sit in the intents' target ranges.
    func recoverRequeued(_ intents: [RequeueIntent], from topic: String, partition: Int32) throws(WharfError) -> [Int64] {
        var found: [Int64] = []
        for intent in intents {
            guard let target = try? log(intent.destination.topic, intent.destination.partition) else { continue }
            var next = max(intent.startOffset, target.logStartOffset)
            let limit = OffsetMath.add(intent.startOffset, Int64(intent.count) + Int64(RequeueProvenance.scanSlack))
            var seen = 0
            while seen < intent.count, next < min(target.logEndOffset, limit) {
                let records = try Self.decodeRecords(of: target, from: next, maxRecords: 500)
                guard let last = records.last else { break }
                let copies = RequeueProvenance.offsets(in: records, from: topic, partition: partition)
                found += copies
                seen += copies.count
                next = last.offset + 1
            }
        }
        return found
    }
}
