import WharfAdmin
import WharfCore
import WharfDashboard
import WharfEngine

/// Dead-letter topics (Spring, Kafka Connect, KIP-1191 headers) in the Dead letters view:
/// their depth and reasons in the snapshot, and browse, requeue and purge through the same
/// engine calls `wharf dlq` uses on a topic.
extension EngineDashboardDriver {
    /// What was last learnt about one topic, and the offsets it was learnt at.
    public struct DeadLetterTopicSample: Sendable {
        /// Log start and end per partition when sampled.
        var bounds: [PartitionBounds]
        /// nil: not a dead-letter topic.
        var summary: DeadLetterTopicSummary?
    }

    public struct PartitionBounds: Equatable, Sendable {
        var start: Int64
        var end: Int64
    }

    /// The dead-letter topics among `topics`. A topic is recognised by the headers of its oldest
    /// records, so the verdict is read again only when a partition's log start moved or an
    /// empty partition got records; a dead-letter topic's reasons are recounted only when its
    /// end moved. A busy ordinary topic therefore costs no reads per refresh.
    public func deadLetterTopicSnapshots(_ topics: [TopicSnapshot]) -> [DeadLetterSnapshot] {
        var result: [DeadLetterSnapshot] = []
        var live: Set<String> = []
        for topic in topics where !topic.isInternal {
            live.insert(topic.name)
            let bounds = topic.partitions.map { PartitionBounds(start: $0.logStart, end: $0.logEnd) }
            if let cached = deadLetterTopicCache[topic.name], !Self.needsResample(cached, bounds) {
                if let s = cached.summary { result.append(Self.snapshot(s, nowMs: engine.clock.nowMillis())) }
                continue
            }
            let summary = (try? engine.deadLetterSummary(topic: topic.name)) ?? nil
            deadLetterTopicCache[topic.name] = DeadLetterTopicSample(bounds: bounds, summary: summary)
            if let summary { result.append(Self.snapshot(summary, nowMs: engine.clock.nowMillis())) }
        }
        if deadLetterTopicCache.count > live.count { deadLetterTopicCache = deadLetterTopicCache.filter { live.contains($0.key) } }
        return result
    }

    public static func needsResample(_ cached: DeadLetterTopicSample, _ bounds: [PartitionBounds]) -> Bool {
        guard cached.bounds.count == bounds.count else { return true }
        for (old, new) in zip(cached.bounds, bounds) {
            if old.start != new.start { return true }
            if old.end == old.start, new.end > new.start { return true }
            if cached.summary != nil, old.end != new.end { return true }
        }
        return false
    }

    public static func snapshot(_ s: DeadLetterTopicSummary, nowMs: Int64) -> DeadLetterSnapshot {
        DeadLetterSnapshot(entity: s.topic, count: s.count, oldestAgeMs: s.oldestTimestamp.map { max(0, nowMs - $0) },
                           kind: .topic(originalTopic: s.originalTopics.first),
                           topReasons: s.topReasons.prefix(topReasonCount).map { DeadLetterReasonCount($0.reason, Int64($0.count)) })
    }

    /// Whether the Dead letters view's `entity` is a dead-letter topic (not a queue's subqueue).
    public func isDeadLetterTopic(_ entity: String) -> Bool {
        deadLetterTopicCache[entity]?.summary != nil
            || (queues?.listQueues().contains(entity) != true && engine.listTopics().contains(entity)
                && ((try? engine.deadLetterSummary(topic: entity, sample: 1)) ?? nil) != nil)
    }

    /// Runs a Dead letters effect on a dead-letter topic.
    public func performDeadLetterTopicEffect(_ effect: Effect) async throws -> Action? {
        switch effect {
        case .loadDeadLetters(let topic, let max):
            return .deadLettersLoaded(entity: topic, rows: try deadLetterRows(topic, max: max))
        case .previewRequeue(let request):
            let r = try await engine.requeueDeadLetters(topic: request.entity, selection: try Self.topicSelection(request.selection),
                                                        to: request.target, dryRun: true)
            return .requeuePreviewed(Self.requeuePreview(r, request: request))
        case .requeue(let request):
            guard capabilities.contains(.requeue) else { return .operationFailed(DriverMessages.requeueDisabled) }
            let r = try await engine.requeueDeadLetters(topic: request.entity, selection: try Self.topicSelection(request.selection),
                                                        to: request.target)
            return .queueEntityChanged(entity: request.entity, message: Self.requeueMessage(r, from: request.entity))
        case .purgeQueue(let topic):
            guard capabilities.contains(.purgeQueue) else { return .operationFailed(DriverMessages.purgeDisabled) }
            let purged = try engine.purgeTopic(topic)
            return .queueEntityChanged(entity: topic, message: "purged \(purged) record(s) from dead-letter topic \(topic) (deleted for good)")
        case .undoQueuePurge(let topic):
            return .operationFailed("\(topic) is a topic: its purge deleted records, which cannot be restored")
        default:
            return nil
        }
    }

    /// The oldest `max` records of the topic, partition by partition, as browser rows.
    public func deadLetterRows(_ topic: String, max: Int) throws -> [DeadLetterMessageRow] {
        var rows: [DeadLetterMessageRow] = []
        for p in try engine.describeTopic(topic).partitions where rows.count < max {
            let (start, _) = try engine.offsets(topic: topic, partition: p.partition)
            for record in try engine.readRecords(topic: topic, partition: p.partition, from: start, maxRecords: max - rows.count) {
                rows.append(Self.deadLetterRow(topic: topic, partition: p.partition, record: record))
            }
        }
        return rows
    }

    /// One record of a dead-letter topic as a browser row: the offset is the sequence number, the
    /// message id says where the record is, and the dead-letter headers become reason and
    /// description. Shared with the cluster driver.
    public static func deadLetterRow(topic: String, partition: Int32, record: StoredRecord) -> DeadLetterMessageRow {
        let origin = DeadLetterHeaders.parse(record.headers)
        // Business headers as they are; the dead-letter headers (binary in Spring's case)
        // are shown decoded: reason, exception class and origin have their own fields.
        var props = DeadLetterHeaders.businessHeaders(record.headers)
            .map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") }.sorted { $0.0 < $1.0 }
        if let origin { props.append(("dead-letter convention", origin.convention.rawValue)) }
        let from = origin.map { o in o.topic.map { t in " from \(t)" + (o.partition.map { "/\($0)" } ?? "") + (o.offset.map { "@\($0)" } ?? "") } ?? "" } ?? ""
        var row = DeadLetterMessageRow(sequenceNumber: record.offset, messageId: "\(topic)/\(partition)@\(record.offset)\(from)",
                                    enqueuedTimeMs: record.timestamp, reason: origin?.reason,
                                    errorDescription: origin?.exceptionClass, properties: props, body: record.value ?? [])
        row.traceId = "\(topic)/\(partition)/\(record.offset)"
        return row
    }

    /// The dry run of a topic requeue as the dashboard's preview: where the records go.
    public static func requeuePreview(_ r: DeadLetterRequeueResult, request: RequeueRequest) -> RequeuePreview {
        let targets = Set(r.moves.map(\.target)).sorted()
        return RequeuePreview(entity: request.entity, target: targets.isEmpty ? (request.target ?? "the original topic") : targets.joined(separator: ", "),
                              sequenceNumbers: r.moves.map(\.offset), skipped: r.withoutTarget)
    }

    /// The status line after a topic requeue.
    public static func requeueMessage(_ r: DeadLetterRequeueResult, from topic: String) -> String {
        let targets = r.byTarget.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ")
        var text = "requeued \(r.moves.count) record(s) from \(topic)" + (targets.isEmpty ? "" : " (\(targets))")
        if !r.withoutTarget.isEmpty { text += "; \(r.withoutTarget.count) without an original topic (choose a target with t)" }
        return text
    }

    public static func topicSelection(_ s: DeadLetterSelection) throws(WharfError) -> DeadLetterTopicSelection {
        switch s {
        case .sequenceNumbers(let offsets): .offsets(Set(offsets))
        case .all: .all
        case .reason(let r): .reason(r)
        case .bodyContains(let t): .contains(t)
        case .property: throw .invalidArgument("a dead-letter topic's records are selected by offset, reason or body text, not by header")
        }
    }
}
