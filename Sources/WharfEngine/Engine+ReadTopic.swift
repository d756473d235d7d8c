import WharfAdmin
import WharfCore

extension Engine {
    /// A topic read as `wharf consume` reads it without a group: each of `partitions` from `start` to its end as it was when that partition was started, partition by partition,
    /// until `limit` records in all went to `emit`.
    public func readTopic(_ topic: String, partitions: [Int32], from start: ConsumeStart, limit: Int,
                          emit: (ConsumedRecord) -> Void) throws {
        var printed = 0
        for p in partitions {
            var offset: Int64
            switch start {
            case .earliest: offset = try listOffset(topic: topic, partition: p, .earliest)
            case .latest: offset = try listOffset(topic: topic, partition: p, .latest)
            case .time(let t): offset = try listOffset(topic: topic, partition: p, .timestamp(t))
            case .offset(let o):
                let (s, e) = try offsets(topic: topic, partition: p)
                guard o >= s, o <= e else {
                    throw WharfError.offsetOutOfRange(topic: topic, partition: p, offset: o, logStart: s, logEnd: e)
                }
                offset = o
            }
            let end = try offsets(topic: topic, partition: p).logEnd
            while printed < limit, offset < end {
                let records = try readRecords(topic: topic, partition: p, from: offset, maxRecords: Swift.min(1000, limit - printed))
                guard let last = records.last else { break }
                for r in records { emit(ConsumedRecord(topic: topic, partition: p, record: r)) }
                printed += records.count
                offset = last.offset + 1
            }
        }
    }
}
