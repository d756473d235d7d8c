import WharfAdmin  // SourceCapabilities.all in a default argument

/// A `DashboardDriver` over a `SyntheticCluster`, advancing with a supplied clock.
/// For the preview executable and for the glue engineer's `--mock`-style use.
public actor SyntheticDriver: DashboardDriver {
    private var cluster: SyntheticCluster
    private let clock: @Sendable () -> Int64
    private let source: String
    public nonisolated let capabilities: SourceCapabilities

    public init(cluster: SyntheticCluster, source: String = "synthetic demo", capabilities: SourceCapabilities = .all,
                clock: @escaping @Sendable () -> Int64) {
        self.cluster = cluster
        self.clock = clock
        self.source = source
        self.capabilities = capabilities
    }

    public func snapshot() -> ClusterSnapshot {
        cluster.advance(to: clock())
        return cluster.snapshot(source: source, listener: "off")
    }

    public func perform(_ effect: Effect) -> Action? {
        switch effect {
        case .previewReset(let group, let topic, let partitions, let spec):
            switch cluster.previewReset(group: group, topic: topic, partitions: partitions, spec: spec) {
            case .success(let rows): return .resetPreviewed(group: group, rows: rows)
            case .failure(let f): return .operationFailed(f.message)
            }
        case .executeReset(let group, let plan):
            return .operationSucceeded(cluster.executeReset(group: group, plan: plan))
        case .undoLastReset:
            return cluster.undoLastReset().map(Action.operationSucceeded) ?? .operationFailed("no reset to undo")
        case .purge(let topic, let partition, let before):
            let n = cluster.purge(topic: topic, partition: partition, before: before)
            return .operationSucceeded("purged \(n) records from \(topic)/\(partition)")
        case .loadRecords(let topic, let partition, let from, let max):
            return .recordsLoaded(cluster.records(topic: topic, partition: partition, from: from, max: max))
        case .loadDeadLetters, .previewRequeue, .requeue, .purgeQueue, .undoQueuePurge:
            return .operationFailed("the synthetic cluster has no queues")
        case .setOutboxRelayPaused, .retryDeadOutboxRows, .loadOutboxRows:
            return .operationFailed("the synthetic cluster has no outbox")
        case .replayParked, .rebuildProjection:
            return .operationFailed("the synthetic source has no event store")
        case .createTopic, .deleteTopic:
            return .operationFailed("the synthetic cluster's topics are fixed")
        case .loadAudit, .undoAuditEntry, .loadTrace:
            return .operationFailed("the synthetic cluster has no audit log")
        case .setRefresh, .quit:
            return nil
        }
    }
}
