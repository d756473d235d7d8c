import WharfCore

/// KIP-848 consumer groups need the topics their members subscribe to; the coordinator reads
/// them through this catalog of the engine's topics.
extension Engine {
    /// The engine's topics as the coordinator sees them: partition counts by name, and the
    /// names a regex subscription is matched against (internal topics included; the
    /// coordinator leaves them out).
    public var topicCatalog: TopicCatalog {
        TopicCatalog(
            partitionCount: { [self] name in topics.withLock { $0[name]?.meta.partitions } },
            names: { [self] in topics.withLock { Array($0.keys) } },
            topicId: { [self] name in topics.withLock { $0[name].map { Self.recordTopicId($0.meta) } } },
            topicName: { [self] id in topicName(forId: (id.high, id.low)) })
    }

    /// The catalog the coordinator restores consumer groups with while the engine is being
    /// opened: the topics loaded from disk.
    static func loadedTopicCatalog(_ loaded: [String: TopicState]) -> TopicCatalog {
        TopicCatalog(
            partitionCount: { name in loaded[name]?.meta.partitions },
            names: { Array(loaded.keys) },
            topicId: { name in loaded[name].map { recordTopicId($0.meta) } },
            topicName: { id in loaded.values.first { recordTopicId($0.meta) == id }?.meta.name })
    }

    static func recordTopicId(_ meta: TopicMetadata) -> ConsumerGroupRecord.TopicId {
        let id = topicId(meta)
        return ConsumerGroupRecord.TopicId(high: id.high, low: id.low)
    }

    /// A ConsumerGroupHeartbeat against the engine's topics.
    public func consumerGroupHeartbeat(_ request: ConsumerGroupHeartbeatRequest) async throws(ConsumerGroupError) -> ConsumerGroupHeartbeatResult {
        try await coordinator.consumerGroupHeartbeat(request, catalog: topicCatalog)
    }
}
