import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfEngine
import WharfKafkaClient

/// Dead-letter topics (Spring, Kafka Connect, KIP-1191 headers) of a cluster in the Dead letters
/// view: recognised, counted, browsed, requeued and purged over the wire with the same rules as
/// `wharf dlq --bootstrap` (`ClusterDeadLetters`).
extension ClusterDashboardDriver {
    /// The dead-letter topics among `topics`. A topic's verdict is read again only when a
    /// partition's log start moved or an empty partition got records, and a dead-letter topic's
    /// summary only when its end moved: a busy ordinary topic costs no Fetch per refresh, and
    /// the topics that need one share one batched Fetch per leader.
    ///
    /// At most `maxVerdictPartitionsPerRefresh` partitions are read per refresh: on a cluster
    /// with tens of thousands of partitions the first verdicts then fill in over a few refreshes
    /// instead of one huge first Fetch. Topics named like dead-letter topics go first.
    public func deadLetterTopicSnapshots(_ topics: [TopicSnapshot]) async -> [DeadLetterSnapshot] {
        var candidates: [(topic: TopicSnapshot, bounds: [EngineDashboardDriver.PartitionBounds])] = []
        var live: Set<String> = []
        for topic in topics where !topic.isInternal {
            live.insert(topic.name)
            let bounds = topic.partitions.map { EngineDashboardDriver.PartitionBounds(start: $0.logStart, end: $0.logEnd) }
            if let cached = deadLetterTopicCache[topic.name], !EngineDashboardDriver.needsResample(cached, bounds) { continue }
            // Nothing to read in an empty topic: it is not a dead-letter topic until it has records.
            if bounds.allSatisfy({ $0.start == $0.end }) {
                deadLetterTopicCache[topic.name] = .init(bounds: bounds, summary: nil)
                continue
            }
            candidates.append((topic, bounds))
        }
        // The rest wait their turn: left out of the cache, so the next refresh picks them up.
        let chosen = DeadLetterTopicSummary.verdictBatch(candidates.map { ($0.topic.name, $0.topic.partitions.count) },
                                                         partitionBudget: Self.maxVerdictPartitionsPerRefresh)
        let resample = chosen.map { candidates[$0].topic.name }
        for i in chosen {
            let name = candidates[i].topic.name
            deadLetterTopicCache[name] = .init(bounds: candidates[i].bounds, summary: deadLetterTopicCache[name]?.summary)
        }
        if !resample.isEmpty, let summaries = try? await ClusterDeadLetters.summaries(client, topics: resample) {
            let byName = Dictionary(summaries.map { ($0.topic, $0) }, uniquingKeysWith: { a, _ in a })
            for name in resample { deadLetterTopicCache[name]?.summary = byName[name] }
        } else if !resample.isEmpty {
            // Could not read them: try again next refresh.
            for name in resample { deadLetterTopicCache[name] = nil }
        }
        if deadLetterTopicCache.count > live.count { deadLetterTopicCache = deadLetterTopicCache.filter { live.contains($0.key) } }
        let now = clock.nowMillis()
        return deadLetterTopicCache.values.compactMap(\.summary).sorted { $0.topic < $1.topic }
            .map { EngineDashboardDriver.snapshot($0, nowMs: now) }
    }

    public static let maxVerdictPartitionsPerRefresh = 2_000

    /// Runs a Dead letters effect on a dead-letter topic; nil for other effects.
    public func performDeadLetterTopicEffect(_ effect: Effect) async throws -> Action? {
        switch effect {
        case .loadDeadLetters(let topic, let max):
            // Up to `max` per partition come back; the browser shows `max` in all, as on the engine.
            let rows = try await ClusterDeadLetters.records(client, topic: topic, max: max).prefix(max)
            return .deadLettersLoaded(entity: topic, rows: rows.map { EngineDashboardDriver.deadLetterRow(topic: topic, partition: $0.partition, record: $0.record) })
        case .previewRequeue(let request):
            let r = try await ClusterDeadLetters.requeue(client, topic: request.entity, selection: try EngineDashboardDriver.topicSelection(request.selection),
                                                         to: request.target, dryRun: true, clock: clock)
            return .requeuePreviewed(EngineDashboardDriver.requeuePreview(r, request: request))
        case .requeue(let request):
            guard capabilities.contains(.requeue) else { return .operationFailed(DriverMessages.requeueDisabled) }
            let r = try await ClusterDeadLetters.requeue(client, topic: request.entity, selection: try EngineDashboardDriver.topicSelection(request.selection),
                                                         to: request.target, dryRun: false, clock: clock)
            return .queueEntityChanged(entity: request.entity, message: EngineDashboardDriver.requeueMessage(r, from: request.entity))
        case .purgeQueue(let topic):
            guard capabilities.contains(.purgeQueue) else { return .operationFailed(DriverMessages.purgeDisabled) }
            let purged = try await ClusterDeadLetters.purge(client, topic: topic)
            return .queueEntityChanged(entity: topic, message: "purged \(purged) record(s) from dead-letter topic \(topic) (deleted for good)")
        case .undoQueuePurge(let topic):
            return .operationFailed("\(topic) is a topic: its purge deleted records, which cannot be restored")
        default:
            return nil
        }
    }
}
