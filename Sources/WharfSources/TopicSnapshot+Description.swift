import WharfAdmin
import WharfDashboard

extension TopicSnapshot {
    /// The Topics view's topic from any source's description: negative retention is no limit,
    /// an unknown size stays unknown ('-'), leaders and replicas where the source has brokers.
    public init(_ t: TopicDescription) {
        self.init(name: t.name,
                  partitions: t.partitions.map {
                      var p = PartitionSnapshot(partition: $0.partition, logStart: $0.logStartOffset, logEnd: $0.logEndOffset,
                                                sizeBytes: $0.sizeBytes < 0 ? PartitionSnapshot.unknownSize : $0.sizeBytes, leader: $0.leader,
                                                replicas: $0.replicas, inSyncReplicas: $0.inSyncReplicas)
                      p.lastStable = $0.lastStableOffset
                      p.openTransactions = $0.openTransactions ?? 0
                      return p
                  },
                  retentionMs: t.retentionMs < 0 ? nil : t.retentionMs, retentionBytes: t.retentionBytes < 0 ? nil : t.retentionBytes,
                  isInternal: t.isInternal)
    }
}
