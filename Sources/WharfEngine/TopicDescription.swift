import WharfCore

/// A topic as the engine reports it (CLI `topic describe`, dashboard snapshots).
public struct TopicDescription: Sendable, Equatable, Codable {
    public var name: String
    public var isInternal: Bool
    public var retentionMs: Int64
    public var retentionBytes: Int64
    public var partitions: [PartitionDescription]

    public var records: Int64 { partitions.reduce(0) { $0 + $1.logEndOffset - $1.logStartOffset } }
    public var sizeBytes: Int64 { partitions.reduce(0) { $0 + $1.sizeBytes } }
}

public struct PartitionDescription: Sendable, Equatable, Codable {
    public var partition: Int32
    public var logStartOffset: Int64
    public var logEndOffset: Int64
    public var sizeBytes: Int64
    public var segments: Int
}

/// Where a produce call put records: one entry per partition it wrote to.
public struct ProduceResult: Sendable, Equatable {
    public var partition: Int32
    public var baseOffset: Int64
    public var lastOffset: Int64
    public var recordCount: Int
}

/// ListOffsets' three questions: the first offset, the next offset, the first at or after a time.
public enum OffsetQuery: Sendable, Equatable {
    case earliest
    case latest
    case timestamp(Int64)
}
