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
            names: { [self] in topics.withLock { Array($0.keys) } })
    }

    /// A ConsumerGroupHeartbeat against the engine's topics.
    public func consumerGroupHeartbeat(_ request: ConsumerGroupHeartbeatRequest) async throws(ConsumerGroupError) -> ConsumerGroupHeartbeatResult {
        try await coordinator.consumerGroupHeartbeat(request, catalog: topicCatalog)
    }
}
