import WharfCore

/// A member of a consumer group that a command drives (`wharf consume --group`): the embedded
/// engine's (`EmbeddedConsumer`) or a cluster's over the Kafka protocol (`ClusterGroupConsumer`),
/// as `ClusterSource.joinGroup` returns it.
public protocol GroupConsuming: Actor {
    func poll(maxRecords: Int) async throws -> [ConsumedRecord]
    func commit(_ offsets: [TopicPartition: Int64]) async throws
    /// Leaves the group.
    func close() async
}

extension ConsumeStart {
    /// Where a new group member starts on a partition its group never committed: the log end
    /// for `latest`, else the log start (an offset or a time names no partition of a group's).
    public var groupStart: ConsumerStartPosition {
        if case .latest = self { .latest } else { .earliest }
    }
}
