/// Kafka's default partitioner for keyed records: `toPositive(murmur2(key)) % numPartitions`
/// (`org.apache.kafka.common.utils.Utils.murmur2`, seed 0x9747b28c), so keys land on the same
/// partitions a Kafka client would choose.
public enum Murmur2 {
    public static func hash(_ data: UnsafeRawBufferPointer) -> Int32 {
        let length = data.count
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = seed ^ UInt32(truncatingIfNeeded: length)
        let length4 = length / 4
        for i in 0..<length4 {
            let i4 = i * 4
            var k = UInt32(data[i4]) | UInt32(data[i4 + 1]) << 8 | UInt32(data[i4 + 2]) << 16 | UInt32(data[i4 + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length4 * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            fallthrough
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            fallthrough
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default: break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    public static func hash(_ bytes: [UInt8]) -> Int32 { bytes.withUnsafeBytes { hash($0) } }

    /// The partition Kafka's producer picks for a non-null key.
    public static func partition(forKey key: [UInt8], partitions: Int32) -> Int32 {
        precondition(partitions > 0)
        return (hash(key) & 0x7fff_ffff) % partitions
    }
}
