import Logging
import Synchronization
import WharfCore

/// The idempotent producers of one partition (Kafka's `ProducerStateManager`): per producer id,
/// its epoch and last batches. Every append of a Kafka client goes through `append`, which
/// answers a retried batch with its original offsets (nothing written), refuses a fenced epoch
/// or a gap in the sequence, and remembers what it wrote.
///
/// Durable through snapshots (`ProducerStateSnapshot`): written when the log has rolled a new
/// segment and on clean close; on open, the newest snapshot is loaded and the log after it
/// replayed (`load`). Producers whose last record fell below the log start (retention,
/// DeleteRecords) are forgotten, as Kafka expires them.
///
/// Thread-safety: one lock per partition, held across the validation and the log append (the
/// sequence check and the write must not interleave with another batch of the same producer).
/// Appends without a producer id never take it. Lock order: this lock, then the log's.
public final class ProducerStateManager: Sendable {
    struct State: Sendable {
        var producers: [Int64: ProducerEntry]
        /// Open and aborted transactions (the last stable offset, read_committed fetches).
        var transactions: PartitionTransactions
        /// The log start last applied to `producers` (expiry runs when it moves).
        var logStart: Int64
        /// The active segment when the last snapshot was written (a new one means a roll).
        var snapshotSegmentBase: Int64?
        /// Offset of the newest snapshot on disk that matches this state (loaded or written).
        var snapshotOffset: Int64?
    }

    /// Snapshots kept on disk (the newest may be above the log end after an unclean stop).
    static let snapshotsKept = 2

    let log: PartitionLog
    let logger: Logger
    let state: Mutex<State>
    /// "topic/partition" for error messages.
    let name: String

    init(log: PartitionLog, logger: Logger, producers: [Int64: ProducerEntry], transactions: PartitionTransactions = PartitionTransactions(),
         snapshotOffset: Int64?) {
        self.log = log
        self.logger = logger
        let tp = log.topicPartition
        name = "\(tp.topic)/\(tp.partition)"
        state = Mutex(State(producers: producers, transactions: transactions, logStart: log.logStartOffset, snapshotSegmentBase: log.activeSegmentBaseOffset,
                            snapshotOffset: snapshotOffset))
    }

    /// Appends whole v2 batches (as `PartitionLog.append`) checking those of idempotent
    /// producers: a request that is exactly one retried batch gets its original offsets back and
    /// writes nothing; a fenced epoch (`.invalidProducerEpoch`) or a sequence gap
    /// (`.outOfOrderSequence`) writes nothing.
    public func append(_ batches: inout [UInt8], from origin: AppendOrigin = .engine) throws(WharfError) -> AppendResult {
        let pending = try write(&batches, from: origin)
        try pending.durableBlocking()
        return pending.result
    }

    /// `append` without waiting for durability (see `PartitionLog.write`). The lock is held
    /// only for the check and the write, not across the fdatasync, so a producer's next batch
    /// is checked and written while the previous one's group commit runs; batches are still
    /// checked in the order callers write them. A retried batch waits for its original's sync.
    public func write(_ batches: inout [UInt8], from origin: AppendOrigin = .engine) throws(WharfError) -> PendingAppend {
        let headers = try Self.headers(of: batches)
        // Transactional batches (and the coordinator's markers) go through the lock too: they
        // move the partition's open transactions, which the last stable offset reads.
        guard headers.contains(where: { $0.isIdempotent || $0.isTransactional }) else { return try log.write(&batches, from: origin) }
        return try state.withLock { (s: inout State) throws(WharfError) -> PendingAppend in
            expire(&s)
            if headers.count == 1, let hit = s.producers[headers[0].producerId]?.duplicate(of: headers[0]) {
                // Kafka validates the batch before looking for a duplicate: a corrupt retry is refused.
                _ = try batches.withBytes { (raw) throws(WharfError) in try RecordBatchBytes.validate(raw) }
                let result = AppendResult(baseOffset: hit.firstOffset, lastOffset: hit.lastOffset,
                                          recordCount: Int(headers[0].recordsCount), appendTime: log.clock.nowMillis())
                // The original may still be waiting for its fdatasync: the retry's answer must not overtake it.
                return PendingAppend(result: result, awaiting: log.config.fsync == .always ? (log, hit.lastOffset + 1) : nil)
            }
            var updated: [Int64: ProducerEntry] = [:]
            for h in headers where h.isIdempotent {
                let current = updated[h.producerId] ?? s.producers[h.producerId]
                try ProducerEntry.check(h, against: current, partition: name)
                var next = current ?? ProducerEntry(epoch: h.producerEpoch, batches: [])
                next.record(h, firstOffset: 0)  // placeholder offsets: the sequence check of a later batch needs only sequences
                updated[h.producerId] = next
            }
            let markers = try batches.withBytes { (raw) throws(WharfError) in try PartitionTransactions.batches(in: raw).map(\.marker) }
            let pending = try log.write(&batches, from: origin)
            var offset = pending.result.baseOffset
            for (h, marker) in zip(headers, markers) {
                Self.fold(h, at: offset, marker: marker, into: &s.producers, &s.transactions)
                offset += Int64(h.lastOffsetDelta) + 1
            }
            snapshotIfRolled(&s)
            return pending
        }
    }

    /// Writes a snapshot if the log rolled a segment since the last one (the engine's
    /// maintenance calls this, so rolls by non-idempotent appends are covered too).
    public func snapshotIfRolled() {
        state.withLock { s in
            expire(&s)
            snapshotIfRolled(&s)
        }
    }

    /// Writes a snapshot at the log end (clean close; call it before closing the log), unless
    /// the newest one already is there, or there is nothing a snapshot would save replaying
    /// (an empty log): a CLI command that opens and closes the engine writes nothing.
    public func writeSnapshot() throws(WharfError) {
        try state.withLock { (s: inout State) throws(WharfError) in
            expire(&s)
            let end = log.writtenEndOffset
            guard s.snapshotOffset != end, !(s.producers.isEmpty && end == log.logStartOffset) else { return }
            try writeSnapshot(&s)
        }
    }

    /// Producer ids remembered here (the engine starts producer-id allocation above them).
    public var highestProducerId: Int64 { state.withLock { $0.producers.keys.max() ?? -1 } }

    func snapshotIfRolled(_ s: inout State) {
        guard log.activeSegmentBaseOffset != s.snapshotSegmentBase else { return }
        do throws(WharfError) {
            try writeSnapshot(&s)
        } catch {
            // Not fatal: recovery replays the log from an older snapshot (or its start).
            logger.warning("could not write producer snapshot", metadata: ["partition": "\(name)", "error": "\(error)"])
        }
    }

    /// Snapshot at the log end: every idempotent append holds this lock, so the state covers
    /// every batch below it. Older snapshots beyond `snapshotsKept` are removed.
    func writeSnapshot(_ s: inout State) throws(WharfError) {
        // The written end, not the readable one: under `always` the state already holds batches
        // whose group commit is still running (recovery accepts a snapshot above the log end).
        let offset = log.writtenEndOffset
        s.snapshotSegmentBase = log.activeSegmentBaseOffset
        let snapshot = ProducerStateSnapshot(offset: offset, producers: s.producers, transactions: s.transactions)
        try FileSystem.writeFileAtomically(log.directory + "/" + ProducerStateSnapshot.fileName(offset: offset), snapshot.encode(), faults: log.faults)
        s.snapshotOffset = offset
        for old in Self.snapshotOffsets(in: log.directory).dropLast(Self.snapshotsKept) {
            try FileSystem.remove(log.directory + "/" + ProducerStateSnapshot.fileName(offset: old))
        }
    }

    /// Forgets producers whose newest record is below the log start (retention, DeleteRecords).
    func expire(_ s: inout State) {
        let start = log.logStartOffset
        guard start != s.logStart else { return }
        s.logStart = start
        s.producers = s.producers.filter { $0.value.lastOffset >= start }
        s.transactions.expire(below: start)
    }

    /// Folds one written batch into the producer and transaction state (appends and recovery
    /// alike). A marker carries the epoch the coordinator fenced the producer at: from then on
    /// the partition refuses the older epoch, as Kafka's marker append bumps it.
    static func fold(_ h: RecordBatchHeader, at offset: Int64, marker: TransactionMarker?,
                     into producers: inout [Int64: ProducerEntry], _ transactions: inout PartitionTransactions) {
        if h.isIdempotent {
            producers[h.producerId, default: ProducerEntry(epoch: h.producerEpoch, batches: [])].record(h, firstOffset: offset)
        } else if h.isControl, h.producerId >= 0 {
            if let entry = producers[h.producerId] {
                if h.producerEpoch > entry.epoch { producers[h.producerId] = ProducerEntry(epoch: h.producerEpoch, batches: []) }
            }
        }
        transactions.apply(h, at: offset, marker: marker)
    }

    /// Headers of the batches laid back to back in `bytes` (bounds checked; CRCs are the log's).
    static func headers(of bytes: [UInt8]) throws(WharfError) -> [RecordBatchHeader] {
        try bytes.withBytes { (raw) throws(WharfError) -> [RecordBatchHeader] in
            var out: [RecordBatchHeader] = []
            var position = 0
            while position < raw.count {
                let h = try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[position...]))
                guard h.totalSize <= raw.count - position else {
                    throw .malformed("record batch of \(h.totalSize) bytes at \(position) runs past the \(raw.count) bytes sent")
                }
                out.append(h)
                position += h.totalSize
            }
            return out
        }
    }

    /// Offsets of the snapshot files in `directory`, oldest first.
    static func snapshotOffsets(in directory: String) -> [Int64] {
        ((try? FileSystem.list(directory)) ?? []).compactMap(ProducerStateSnapshot.offset(ofFileName:)).sorted()
    }
}

extension PartitionLog {
    /// Base offset of the active segment (nil once closed): a change means the log rolled.
    var activeSegmentBaseOffset: Int64? { state.withLock { $0.segments.last?.baseOffset } }
    /// The next offset to assign: everything written, durable or not (producer snapshots).
    var writtenEndOffset: Int64 { state.withLock { $0.logEndOffset } }
}
