import Synchronization
import WharfCore
import WharfEngine

/// Idempotent producers: the last few batches each (producer id, partition) appended, so a batch
/// the client retries (because the first answer was lost) gets its original offset back instead
/// of being written twice — Kafka keeps 5 per producer and partition, and so do we.
///
/// Kept in memory and rebuilt on start from the tail of every partition (`rebuild`), as Kafka
/// rebuilds it from its log, so a retry that straddles a broker restart is still recognised.
final class ProducerStateTable: Sendable {
    struct Key: Hashable, Sendable {
        var producerId: Int64
        var topic: String
        var partition: Int32
    }

    struct Entry: Sendable, Equatable {
        var epoch: Int16
        var firstSequence: Int32
        var lastSequence: Int32
        var baseOffset: Int64
    }

    static let kept = 5
    private let table = Mutex<[Key: [Entry]]>([:])

    enum Decision: Equatable {
        /// Append it; remember the result with `record`.
        case append
        /// Already appended at this base offset: answer with it, write nothing.
        case duplicate(baseOffset: Int64)
    }

    /// Reads the last batches of every partition (up to `tailBytes` each) and remembers those
    /// written by idempotent producers.
    func rebuild(from engine: Engine, tailRecords: Int64 = 10_000, tailBytes: Int = 4 << 20) {
        var rebuilt: [Key: [Entry]] = [:]
        for topic in engine.describeAllTopics(includeInternal: false) {
            for p in topic.partitions where p.logEndOffset > p.logStartOffset {
                let from = max(p.logStartOffset, p.logEndOffset - tailRecords)
                guard let chunk = try? engine.fetch(topic: topic.name, partition: p.partition, offset: from, maxBytes: tailBytes),
                      let headers = chunk.bytes.withUnsafeBytes({ try? RecordBatchReader.batchHeaders(in: $0) }) else { continue }
                for h in headers where h.producerId >= 0 && h.baseSequence >= 0 {
                    let key = Key(producerId: h.producerId, topic: topic.name, partition: p.partition)
                    rebuilt[key, default: []].append(Entry(epoch: h.producerEpoch, firstSequence: h.baseSequence,
                                                           lastSequence: h.baseSequence &+ h.lastOffsetDelta, baseOffset: h.baseOffset))
                    if rebuilt[key]!.count > Self.kept { rebuilt[key]!.removeFirst() }
                }
            }
        }
        table.withLock { $0 = rebuilt }
    }

    func highestProducerId() -> Int64 {
        table.withLock { $0.keys.map(\.producerId).max() ?? -1 }
    }

    /// Runs `append` for a batch unless it is a retry of one of the last batches, atomically
    /// with respect to other batches of the same producer.
    func appendOnce(_ header: RecordBatchHeader, topic: String, partition: Int32,
                    append: () throws(WharfError) -> Int64) throws(WharfError) -> Int64 {
        guard header.producerId >= 0, header.baseSequence >= 0 else { return try append() }
        let key = Key(producerId: header.producerId, topic: topic, partition: partition)
        let last = header.baseSequence &+ header.lastOffsetDelta
        return try table.withLock { (t: inout [Key: [Entry]]) throws(WharfError) -> Int64 in
            if let hit = t[key]?.first(where: { $0.epoch == header.producerEpoch && $0.firstSequence == header.baseSequence && $0.lastSequence == last }) {
                return hit.baseOffset
            }
            let base = try append()
            var entries = t[key] ?? []
            entries.append(Entry(epoch: header.producerEpoch, firstSequence: header.baseSequence, lastSequence: last, baseOffset: base))
            if entries.count > Self.kept { entries.removeFirst(entries.count - Self.kept) }
            t[key] = entries
            return base
        }
    }
}
