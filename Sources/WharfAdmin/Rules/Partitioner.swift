import Synchronization
import WharfCore

/// Chooses partitions as a Kafka producer would: keyed records by murmur2 of the key, so a key
/// lands where a Kafka client would put it; unkeyed records dealt round-robin so they spread evenly.
public final class Partitioner: Sendable {
    private let next = Atomic<UInt64>(0)

    /// One per producer (the engine's, `produce --bootstrap`'s, an outbox publish): each deals its
    /// own unkeyed records round-robin from partition 0.
    public init() {}

    public func partition(forKey key: [UInt8]?, partitions: Int32) -> Int32 {
        if let key { return Murmur2.partition(forKey: key, partitions: partitions) }
        return Int32(next.wrappingAdd(1, ordering: .relaxed).oldValue % UInt64(partitions))
    }
}
