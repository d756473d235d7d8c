import Logging
import Synchronization
import WharfCore
import WharfStorage

/// A topic's fan-out intents (`<topic>/fanout/`, a PartitionLog): what makes a message sent to a
/// topic land in every matching subscription or in none, across a crash.
///
/// A send that makes more than one copy first appends an intent and waits for an fdatasync to
/// cover it. The intent has one record per message, or more when its copies differ (a rule's
/// action changed one): key, the target entity paths, newline-separated (a path has no newline;
/// intents written before this had one path a record, which reads the same); value, the copy's
/// stored record batch (see `QueueMessageCodec`). Then each copy is appended with `x-sb-fanout:
/// <topic>#<intent record offset>`; then, once an fdatasync covers the copies, a `done` record
/// (`<first offset>,<count>`). On open, an intent without `done` is rolled forward: each copy
/// whose marker its target does not hold yet (nor the entities its forwarding leads to, nor
/// their dead-letter queues) is appended (`QueueStore.recoverFanOuts`). A record names a target
/// at most once, so a target's marker names one copy.
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
        /// Batches taken off `waiting` in order, their intent settled, whose copies are to be
        /// written (or failed with the error) by the thread that is writing (`writingCopies`).
        var toWrite: [(batch: TopicFanOutBatch, error: WharfError?)] = []
        /// A thread is writing copies, outside this lock: the copies of one batch go to every
        /// subscription, and a send that writes its intent meanwhile must not wait for them.
        var writingCopies = false
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

    /// Where a batch's intent was written: its records' offsets, and the record of each copy.
    struct Intent: Sendable {
        let first: Int64
        let records: Int
        /// Per copy, the index of its record (its marker is `first + recordOfCopy[i]`).
        let recordOfCopy: [Int]
        /// The end an fdatasync must cover before any copy is written.
        var end: Int64 { first + Int64(records) }
    }

    /// Appends the intent for `copies` without waiting for it: a record per run of equal copies
    /// of one message to different targets.
    func writeIntent(_ copies: [TopicFanOutBatch.Copy], now: Int64) throws(WharfError) -> Intent {
        var records: [Record] = []
        var recordOfCopy: [Int] = []
        recordOfCopy.reserveCapacity(copies.count)
        var start = 0
        while start < copies.count {
            var end = start + 1
            var paths = [copies[start].path]
            while end < copies.count, copies[end].message == copies[start].message, copies[end].copy == copies[start].copy,
                  !paths.contains(copies[end].path) {
                paths.append(copies[end].path)
                end += 1
            }
            recordOfCopy += repeatElement(records.count, count: end - start)
            records.append(Record(key: Array(paths.joined(separator: "\n").utf8),
                                  value: QueueMessageCodec.Stored(copies[start].copy).encoded(enqueuedAt: now), headers: [], timestamp: now))
            start = end
        }
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: now)
        let written = try log.write(&bytes).result
        return Intent(first: written.baseOffset, records: records.count, recordOfCopy: recordOfCopy)
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

    /// Intent records no `done` covers: (offset, target paths, copy, intent time).
    func pending() throws(WharfError) -> [(offset: Int64, paths: [String], stored: QueueMessageCodec.Stored, at: Int64)] {
        var intents: [(offset: Int64, paths: [String], stored: QueueMessageCodec.Stored, at: Int64)] = []
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
            intents.append((r.offset, key.split(separator: "\n").map(String.init), QueueMessageCodec.Stored(record: copy), r.timestamp))
        }
        return intents.filter { i in !done.contains { $0.contains(i.offset) } }
    }

    func close() throws(WharfError) { try log.close() }
}
