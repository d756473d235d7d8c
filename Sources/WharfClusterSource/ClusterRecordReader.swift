import WharfCore
import WharfKafkaClient

/// Reads ranges of records from many partitions with batched Fetches (one request per leader
/// per round); only the partitions that still want records are asked again.
public enum ClusterRecordReader {
    /// A partition's budget when one record is wanted (time lag): a broker returns a batch larger
    /// than its partition's budget only for the first partition of a response (KIP-74), so a tiny
    /// budget would starve every other partition; most batches fit in this, the rest grow.
    public static let firstRecordBytes: Int32 = 64 << 10

    public struct Range: Sendable {
        public var from: Int64
        /// Exclusive end (usually the high watermark read just before).
        public var until: Int64
        public var limit: Int

        public init(from: Int64, until: Int64, limit: Int) {
            self.from = from
            self.until = until
            self.limit = limit
        }
    }

    public static func read(_ client: KafkaClient, _ ranges: [TopicPartition: Range],
                     partitionMaxBytes: Int32 = 1 << 20) async throws -> [TopicPartition: [StoredRecord]] {
        var out: [TopicPartition: [StoredRecord]] = [:]
        var pending = ranges.filter { $0.value.from < $0.value.until && $0.value.limit > 0 }
        var next = pending.mapValues(\.from)
        var maxBytes = partitionMaxBytes
        while !pending.isEmpty {
            let want = pending.values.map { $0.limit }.max() ?? 0
            let got = try await client.fetch(next, partitionMaxBytes: maxBytes, maxRecords: want)
            var grow = false
            for (tp, range) in pending {
                let have = out[tp]?.count ?? 0
                let records = (got[tp]?.records ?? []).filter { $0.offset >= next[tp]! && $0.offset < range.until }.prefix(range.limit - have)
                guard let last = records.last else {
                    // Nothing although below the end: the batch may be larger than maxBytes; ask
                    // again with more room, and give up on the partition past 64 MiB.
                    if maxBytes < 64 << 20, (got[tp]?.highWatermark ?? 0) > next[tp]! { grow = true } else { pending[tp] = nil; next[tp] = nil }
                    continue
                }
                out[tp, default: []].append(contentsOf: records)
                next[tp] = last.offset + 1
                if last.offset + 1 >= range.until || have + records.count >= range.limit {
                    pending[tp] = nil
                    next[tp] = nil
                }
            }
            if grow { maxBytes *= 4 }
        }
        return out
    }
}
