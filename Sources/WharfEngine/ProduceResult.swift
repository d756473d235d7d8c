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
