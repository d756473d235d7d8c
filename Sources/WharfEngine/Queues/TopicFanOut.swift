import Logging
import Synchronization
import WharfCore
import WharfStorage

/// A topic's fan-out intents (`<topic>/fanout/`, a PartitionLog): what makes a message sent to a
/// topic land in every matching subscription or in none, across a crash.
///
/// A send that makes more than one copy first appends an intent, one record per copy (key: the
/// target entity path; value: the copy's stored record batch, see `QueueMessageCodec`), and waits
/// for an fdatasync to cover it; then appends each copy with `x-sb-fanout: <topic>#<intent record
/// offset>`; then, once an fdatasync covers the copies, a `done` record (`<first offset>,<count>`).
/// On open, an intent without `done` is rolled forward: each copy whose marker its target (or the
/// target's dead-letter queue) does not hold yet is appended.
///
/// Nothing waits for the disk under a lock, and no thread blocks (`QueueStore+FanOut`): sends
/// (each a `TopicFanOutBatch`, one per listener read) queue in `pipeline` in the order their
/// intents were written, and each one's copies are written once its intent is durable and every
/// batch before it has written its copies, so each subscription stores a topic's messages in the
/// order they were sent, and the intents of sends arriving meanwhile share one fdatasync.
final class TopicFanOut: Sendable {
    static let folder = "fanout"
    static let doneKey = "done"
    /// Trim once the intents take this many bytes (whole segments go; segments are small).
    static let trimBytes: Int64 = 4 << 20

    /// The batches in flight. Taken before an entity's lock, never after one.
    struct Pipeline {
        /// Batches whose copies are not written yet, in the order of their intents.
        var waiting: [TopicFanOutBatch] = []
        /// Of those, the ones whose intent is durable (or failed: the error).
        var intentsSettled: [ObjectIdentifier: WharfError?] = [:]
        /// Batches begun whose copies are not yet durable: while any is, the intents are not trimmed.
        var unfinished = 0
    }

    let log: PartitionLog
    let pipeline = Mutex(Pipeline())

    init(log: PartitionLog) { self.log = log }

    static func open(topicDirectory: String, fsync: FsyncPolicy, clock: any WallClock, logger: Logger,
                     faults: FaultInjector?) throws(WharfError) -> TopicFanOut {
        var config = LogConfig()
        config.fsync = fsync
        config.retentionMs = -1
        config.retentionBytes = -1
        config.segmentBytes = 1 << 20
        return TopicFanOut(log: try PartitionLog.open(directory: topicDirectory + "/" + folder, config: config, clock: clock,
                                                      logger: logger, faults: faults))
    }

    /// Appends the intent for `copies` without waiting for it: its first record's offset, and
    /// the end an fdatasync must cover before any copy is written.
    func writeIntent(_ copies: [(path: String, stored: QueueMessageCodec.Stored)], now: Int64) throws(WharfError) -> (first: Int64, end: Int64) {
        let records = copies.map { Record(key: Array($0.path.utf8), value: $0.stored.encoded(enqueuedAt: now), headers: [], timestamp: now) }
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: now)
        let written = try log.write(&bytes).result
        return (written.baseOffset, written.lastOffset + 1)
    }

    /// Marks the intents `first ..< first + count` done. Not waited for: a `done` lost to a power
    /// cut only makes the next open look for copies that are there.
    func writeDone(first: Int64, count: Int, now: Int64) throws(WharfError) {
        var bytes = RecordBatchBuilder.encode([Record(key: Array(Self.doneKey.utf8), value: Array("\(first),\(count)".utf8), headers: [],
                                                      timestamp: now)], defaultTimestamp: now)
        _ = try log.write(&bytes)
    }

    /// Drops every intent (all are done: called under `pipeline`'s lock when no batch is
    /// unfinished, or after recovery).
    func trimIfLarge() throws(WharfError) {
        guard log.logEndOffset > log.logStartOffset, log.sizeInBytes >= Self.trimBytes else { return }
        _ = try log.deleteRecords(before: log.logEndOffset)
    }

    /// Intent records no `done` covers: (offset, target path, copy, intent time).
    func pending() throws(WharfError) -> [(offset: Int64, path: String, stored: QueueMessageCodec.Stored, at: Int64)] {
        var intents: [(offset: Int64, path: String, stored: QueueMessageCodec.Stored, at: Int64)] = []
        var done: [ClosedRange<Int64>] = []
        try QueueEntity.forEachRecord(log) { (r) throws(WharfError) in
            let key = String(decoding: r.key ?? [], as: UTF8.self)
            if key == Self.doneKey {
                let parts = String(decoding: r.value ?? [], as: UTF8.self).split(separator: ",").compactMap { Int64($0) }
                if parts.count == 2, parts[1] > 0, parts[0] <= Int64.max - parts[1] { done.append(parts[0]...(parts[0] + parts[1] - 1)) }
                return
            }
            let inner: [StoredRecord]
            do { inner = try RecordBatchReader.records(in: r.value ?? [], fromOffset: 0) } catch {
                throw .corrupt("unreadable fan-out intent at offset \(r.offset) of \(log.directory): \(error)")
            }
            guard let copy = inner.first else { throw .corrupt("empty fan-out intent at offset \(r.offset) of \(log.directory)") }
            intents.append((r.offset, key, QueueMessageCodec.Stored(record: copy), r.timestamp))
        }
        return intents.filter { i in !done.contains { $0.contains(i.offset) } }
    }

    func close() throws(WharfError) { try log.close() }
}
