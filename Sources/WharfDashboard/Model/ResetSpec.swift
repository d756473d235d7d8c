/// The target of an offset reset, in the terms operators use (kafka-consumer-groups, Redpanda
/// Console): the source resolves it to one offset per partition in its dry-run.
public enum ResetSpec: Equatable, Sendable {
    case earliest
    case latest
    case offset(Int64)
    /// The first offset whose timestamp is >= this Unix time in milliseconds.
    case datetime(Int64)
    /// Current committed offset plus this (negative = re-read).
    case shiftBy(Int64)
    /// The offset at (now - this many milliseconds).
    case duration(Int64)

    public var label: String {
        switch self {
        case .earliest: "earliest"
        case .latest: "latest"
        case .offset(let o): "offset \(o)"
        case .datetime(let ms): "date-time \(Format.timestamp(ms: ms)) UTC"
        case .shiftBy(let n): "shift by \(n >= 0 ? "+" : "")\(n)"
        case .duration(let ms): "duration \(Format.duration(ms: ms)) back"
        }
    }
}

/// One line of a reset dry-run: exactly what the reset will write.
public struct ResetPlanRow: Equatable, Sendable {
    public var topic: String
    public var partition: Int32
    /// Committed offset now (nil: none).
    public var current: Int64?
    /// Offset that will be committed.
    public var new: Int64
    /// Records that will be consumed again (negative: skipped).
    public var recordsToReread: Int64

    public init(topic: String, partition: Int32, current: Int64?, new: Int64, recordsToReread: Int64) {
        self.topic = topic
        self.partition = partition
        self.current = current
        self.new = new
        self.recordsToReread = recordsToReread
    }
}
