import WharfAdmin
import WharfCore
import WharfDashboard

/// Dead-letter topics (Spring, Kafka Connect, KIP-1191 headers) in the Dead letters view, on any
/// source: their depth and reasons in the snapshot, and browse, requeue and purge through the
/// source's operations (the same ones `wharf dlq` uses, with or without `--bootstrap`).
extension SourceDashboardDriver {
    /// At most this many partitions' verdicts are read per refresh (`DeadLetterTopicCache.due`).
    public static var maxVerdictPartitionsPerRefresh: Int { 2_000 }
    /// Newest records per partition read to count a dead-letter topic's reasons.
    public static var reasonSampleRecords: Int { 200 }

    /// The dead-letter topics among `topics`, their verdicts read again only when a topic changed
    /// (`DeadLetterTopicCache`), in one batched question to the source. Topics it could not read
    /// are asked again on the next refresh.
    func deadLetterTopicSnapshots(_ topics: [TopicDescription]) async -> [DeadLetterSnapshot] {
        let resample = deadLetterTopics.due(topics, partitionBudget: Self.maxVerdictPartitionsPerRefresh)
        if !resample.isEmpty {
            if let summaries = try? await source.deadLetterSummaries(topics: resample, sample: Self.reasonSampleRecords) {
                deadLetterTopics.store(summaries, for: resample)
            } else {
                deadLetterTopics.forget(resample)
            }
        }
        let now = source.clock.nowMillis()
        return deadLetterTopics.summaries.map { DeadLetterSnapshot($0, nowMs: now) }
    }

    /// Whether the Dead letters view's `entity` is a dead-letter topic (not a queue or its subqueue).
    func isDeadLetterTopic(_ entity: String) async -> Bool {
        if deadLetterTopics.summary(of: entity) != nil { return true }
        if panels.queues?.listQueues().contains(entity) == true { return false }
        return ((try? await source.deadLetterSummaries(topics: [entity], sample: 1)) ?? []).isEmpty == false
    }

    /// Runs a Dead letters effect on a dead-letter topic; nil for other effects.
    func performDeadLetterTopicEffect(_ effect: Effect) async throws -> Action? {
        switch effect {
        case .loadDeadLetters(let topic, let max):
            // Up to `max` per partition come back; the browser shows `max` in all.
            let records = try await source.deadLetterRecords(topic: topic, max: max).prefix(max)
            return .deadLettersLoaded(entity: topic, rows: records.map { DeadLetterMessageRow(topic: topic, partition: $0.partition, record: $0.record) })
        case .previewRequeue(let request):
            let r = try await source.requeueDeadLetters(topic: request.entity, selection: try DeadLetterTopicSelection(request.selection),
                                                        to: request.target, dryRun: true)
            return .requeuePreviewed(RequeuePreview(r, request: request))
        case .requeue(let request):
            guard capabilities.contains(.requeue) else { return .operationFailed(DriverMessages.requeueDisabled) }
            let r = try await source.requeueDeadLetters(topic: request.entity, selection: try DeadLetterTopicSelection(request.selection),
                                                        to: request.target, dryRun: false)
            return .queueEntityChanged(entity: request.entity, message: DriverMessages.requeued(r, from: request.entity))
        case .purgeQueue(let topic):
            guard capabilities.contains(.purgeQueue) else { return .operationFailed(DriverMessages.purgeDisabled) }
            let purged = try await source.purgeTopic(topic)
            return .queueEntityChanged(entity: topic, message: DriverMessages.purgedDeadLetterTopic(purged, topic: topic))
        case .undoQueuePurge(let topic):
            return .operationFailed(DriverMessages.topicPurgeCannotBeUndone(topic))
        default:
            return nil
        }
    }
}
