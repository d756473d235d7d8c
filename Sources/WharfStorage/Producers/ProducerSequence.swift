/// Sequence arithmetic of idempotent producers, as Kafka's `DefaultRecordBatch.incrementSequence`
/// and `ProducerAppendInfo.inSequence` do it: sequences are non-negative Int32 and wrap from
/// Int32.max to 0.
enum ProducerSequence {
    /// The sequence of the last record of a batch starting at `first` with `lastOffsetDelta`.
    static func last(first: Int32, lastOffsetDelta: Int32) -> Int32 {
        if first > Int32.max - lastOffsetDelta { return lastOffsetDelta - (Int32.max - first) - 1 }
        return first + lastOffsetDelta
    }

    /// Whether a batch starting at `next` directly follows one that ended at `last`.
    static func follows(_ next: Int32, after last: Int32) -> Bool {
        Int64(next) == Int64(last) + 1 || (next == 0 && last == Int32.max)
    }
}
