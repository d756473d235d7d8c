import WharfCore

extension Engine {
    /// KIP-734 (ListOffsets' max_timestamp, -3): the offset of the record with the largest
    /// timestamp in the partition, and that timestamp; nil when the partition holds none.
    /// The first of equal timestamps, as the time index finds it.
    public func maxTimestampOffset(topic: String, partition: Int32) throws(WharfError) -> (offset: Int64, timestamp: Int64)? {
        let l = try log(topic, partition)
        guard let largest = l.maxTimestamp, let offset = try l.offset(forTimestamp: largest) else { return nil }
        return (offset, largest)
    }
}
