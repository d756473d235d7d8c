import WharfCore

// Public factories for the report types (their memberwise initialisers are internal and cannot be
// redeclared public), so a source other than the engine (the Kafka-protocol cluster client behind
// `--bootstrap`) builds the same reports and the CLI prints both through one function.

extension TopicDescription {
    public static func make(name: String, isInternal: Bool, retentionMs: Int64, retentionBytes: Int64,
                            partitions: [PartitionDescription]) -> TopicDescription {
        TopicDescription(name: name, isInternal: isInternal, retentionMs: retentionMs, retentionBytes: retentionBytes, partitions: partitions)
    }
}

extension PartitionDescription {
    /// `sizeBytes` and `segments` are -1 when the source cannot know them (a remote cluster).
    public static func make(partition: Int32, logStartOffset: Int64, logEndOffset: Int64, sizeBytes: Int64, segments: Int) -> PartitionDescription {
        PartitionDescription(partition: partition, logStartOffset: logStartOffset, logEndOffset: logEndOffset, sizeBytes: sizeBytes, segments: segments)
    }
}

extension PartitionLag {
    public static func make(topic: String, partition: Int32, committedOffset: Int64?, logStartOffset: Int64, logEndOffset: Int64,
                            lag: Int64, timeLagMs: Int64, owner: String?) -> PartitionLag {
        PartitionLag(topic: topic, partition: partition, committedOffset: committedOffset, logStartOffset: logStartOffset,
                     logEndOffset: logEndOffset, lag: lag, timeLagMs: timeLagMs, owner: owner)
    }
}

extension GroupLag {
    public static func make(group: String, state: String, members: Int, partitions: [PartitionLag]) -> GroupLag {
        GroupLag(group: group, state: state, members: members, partitions: partitions)
    }
}

extension DeadLetterRequeueResult {
    public static func make(dryRun: Bool, moves: [Move], withoutTarget: [Int64]) -> DeadLetterRequeueResult {
        DeadLetterRequeueResult(dryRun: dryRun, moves: moves, withoutTarget: withoutTarget)
    }
}

extension DeadLetterRequeueResult.Move {
    public static func make(partition: Int32, offset: Int64, target: String) -> DeadLetterRequeueResult.Move {
        DeadLetterRequeueResult.Move(partition: partition, offset: offset, target: target)
    }
}
