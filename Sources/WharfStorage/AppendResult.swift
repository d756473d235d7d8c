/// What one `PartitionLog.append` assigned: offsets `baseOffset...lastOffset` (consecutive, over
/// all batches of the call) and the log's clock time at the append.
public struct AppendResult: Sendable, Equatable {
    public var baseOffset: Int64
    public var lastOffset: Int64
    /// Records the batches declare (sum of their `recordsCount`).
    public var recordCount: Int
    /// Milliseconds of the injected clock when the batches were written.
    public var appendTime: Int64

    public init(baseOffset: Int64, lastOffset: Int64, recordCount: Int, appendTime: Int64) {
        self.baseOffset = baseOffset
        self.lastOffset = lastOffset
        self.recordCount = recordCount
        self.appendTime = appendTime
    }
}
