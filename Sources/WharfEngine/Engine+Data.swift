import WharfCore
import WharfStorage

/// Producing, fetching and purging records.
extension Engine {
    /// Appends records, placing each by key (murmur2, as Kafka's producer does) or, unkeyed,
    /// round-robin; or all to `partition` when given. Records for one partition go in one batch.
    @discardableResult
    public func produce(topic name: String, records: [Record], partition: Int32? = nil) throws(WharfError) -> [ProduceResult] {
        let t = try topic(name)
        if t.meta.isInternal { throw .invalidArgument("cannot produce to internal topic \(name)") }
        if let partition, partition < 0 || partition >= t.meta.partitions {
            throw .unknownPartition(topic: name, partition: partition)
        }
        let now = clock.nowMillis()
        var builders: [Int32: RecordBatchBuilder] = [:]
        for r in records {
            let p = partition ?? partitioner.partition(forKey: r.key, partitions: t.meta.partitions)
            builders[p, default: RecordBatchBuilder(capacity: 4096)].append(r, defaultTimestamp: now)
        }
        var results: [ProduceResult] = []
        for (p, var builder) in builders.sorted(by: { $0.key < $1.key }) {
            var bytes = builder.finish()
            let r = try t.logs[Int(p)].append(&bytes)
            results.append(ProduceResult(partition: p, baseOffset: r.baseOffset, lastOffset: r.lastOffset, recordCount: r.recordCount))
        }
        return results
    }

    /// Appends a client's encoded v2 batch to one partition (the Kafka listener's path): every
    /// record is checked first (`RecordBatchValidator`, with this partition's limits and the
    /// engine's clock), then the bytes are stored as they came but for broker-assigned offsets
    /// and, where the client's was wrong, the batch's maxTimestamp. Batches of idempotent
    /// producers are checked and deduplicated by the partition's `ProducerStateManager`: a retry
    /// answers with its original offsets, a fenced epoch or a sequence gap throws and writes nothing.
    public func append(topic: String, partition: Int32, batches: inout [UInt8]) throws(WharfError) -> AppendResult {
        try producerState(topic, partition).append(&batches, from: .client)
    }

    /// `append` without waiting for durability: checked and written now, in call order;
    /// acknowledge only after the result's `durable()` (group commit under `always`).
    public func write(topic: String, partition: Int32, batches: inout [UInt8]) throws(WharfError) -> PendingAppend {
        try producerState(topic, partition).write(&batches, from: .client)
    }

    /// Whole batches from the one holding `offset`, at most `maxBytes` but at least one batch.
    public func fetch(topic: String, partition: Int32, offset: Int64, maxBytes: Int = 1 << 20) throws(WharfError) -> FetchResult {
        try log(topic, partition).read(from: offset, maxBytes: maxBytes)
    }

    /// Decoded records from `offset`, at most `maxRecords` (CLI consume, dashboard browser,
    /// embedded consumers).
    public func readRecords(topic: String, partition: Int32, from offset: Int64, maxRecords: Int,
                            maxBytes: Int = 1 << 20) throws(WharfError) -> [StoredRecord] {
        try Self.decodeRecords(of: try log(topic, partition), from: offset, maxRecords: maxRecords, maxBytes: maxBytes)
    }

    /// Reads and decodes records of one log in chunks sized to the request, decoding no record
    /// past the limit, so a small poll on a long backlog stays cheap. Skips offsets that
    /// compaction removed.
    static func decodeRecords(of log: PartitionLog, from offset: Int64, maxRecords: Int,
                              maxBytes: Int = 1 << 20) throws(WharfError) -> [StoredRecord] {
        var out: [StoredRecord] = []
        var next = offset
        // About 512 bytes per wanted record, at least 16 KiB, at most maxBytes.
        let wanted = maxRecords > maxBytes / 512 ? maxBytes : maxRecords * 512
        let chunkBytes = min(maxBytes, max(16 << 10, wanted))
        while out.count < maxRecords, next < log.logEndOffset {
            let chunk = try log.read(from: next, maxBytes: chunkBytes)
            if chunk.bytes.isEmpty { break }
            let decoded: [StoredRecord]
            do {
                decoded = try RecordBatchReader.records(in: chunk.bytes, fromOffset: next, limit: maxRecords - out.count)
            } catch let e as WharfError { throw e } catch {
                throw .corrupt("\(log.directory) at offset \(next): \(error)")
            }
            out.append(contentsOf: decoded)
            if out.count >= maxRecords { break }
            // Past the last batch read (a batch may end in offsets compacted away).
            let batchEnd = chunk.bytes.withUnsafeBytes { (try? RecordBatchReader.batchHeaders(in: $0).last?.nextOffset) ?? nil } ?? next + 1
            next = max(batchEnd, (decoded.last?.offset ?? next) + 1)
        }
        return out
    }

    public func offsets(topic: String, partition: Int32) throws(WharfError) -> (logStart: Int64, logEnd: Int64) {
        let l = try log(topic, partition)
        return (l.logStartOffset, l.logEndOffset)
    }

    /// Kafka's ListOffsets: earliest (log start), latest (log end), or the first offset whose
    /// timestamp is at or after a time (log end when there is none).
    public func listOffset(topic: String, partition: Int32, _ query: OffsetQuery) throws(WharfError) -> Int64 {
        try Self.offset(of: try log(topic, partition), query)
    }

    /// ListOffsets for several partitions of one topic with one topic lookup: a dashboard's
    /// refresh asks for every partition of every topic, and looking the topic up (a lock and a
    /// string hash) per partition was a tenth of that request's time. Throws only for an
    /// unknown topic; a bad partition fails alone.
    public func listOffsets(topic name: String, _ queries: [(partition: Int32, query: OffsetQuery)]) throws(WharfError) -> [Result<Int64, WharfError>] {
        let t = try topic(name)
        return queries.map { q -> Result<Int64, WharfError> in
            guard q.partition >= 0, Int(q.partition) < t.logs.count else { return .failure(.unknownPartition(topic: name, partition: q.partition)) }
            do throws(WharfError) { return .success(try Self.offset(of: t.logs[Int(q.partition)], q.query)) } catch { return .failure(error) }
        }
    }

    static func offset(of log: PartitionLog, _ query: OffsetQuery) throws(WharfError) -> Int64 {
        switch query {
        case .earliest: return log.logStartOffset
        case .latest: return log.logEndOffset
        case .timestamp(let ts): return try log.offset(forTimestamp: ts) ?? log.logEndOffset
        }
    }

    /// Purge: removes every record below `offset` (Kafka's DeleteRecords; -1 means the log end).
    /// Returns the new log start offset.
    @discardableResult
    public func deleteRecords(topic: String, partition: Int32, before offset: Int64,
                              actor: AuditActor = .thisProcess) throws(WharfError) -> Int64 {
        let before = (try? log(topic, partition)).map { ["log-start": String($0.logStartOffset), "log-end": String($0.logEndOffset)] }
        return try audit.audited(actor, AuditAction.recordsDelete, target: "topic:\(topic)/\(partition)", before: before,
                                 after: { ["log-start": String($0), "requested-before": String(offset)] }) { () throws(WharfError) in
            try deleteRecordsUnaudited(topic: topic, partition: partition, before: offset)
        }
    }

    private func deleteRecordsUnaudited(topic: String, partition: Int32, before offset: Int64) throws(WharfError) -> Int64 {
        try InternalNames.checkMayDelete(topic: topic)
        let l = try log(topic, partition)
        let target = offset == -1 ? l.logEndOffset : offset
        guard target >= 0, target <= l.logEndOffset else {
            throw .offsetOutOfRange(topic: topic, partition: partition, offset: offset, logStart: l.logStartOffset, logEnd: l.logEndOffset)
        }
        let start = try l.deleteRecords(before: target)
        logger.info("deleted records", metadata: ["partition": "\(topic)/\(partition)", "logStart": "\(start)"])
        return start
    }

    /// Periodic upkeep: retention, interval fsyncs, group session timeouts, and compaction of
    /// the internal offsets topic and of topics with `cleanup.policy` compact. Long-running processes call it every few hundred ms; tests
    /// call it after moving a manual clock. Cheap when there is nothing to do.
    public func runMaintenance() async {
        runStorageMaintenance()
        await runCoordinatorMaintenance()
    }

    /// The part of `runMaintenance` the coordinators do: group session timeouts, expired
    /// transactions.
    public func runCoordinatorMaintenance() async {
        await coordinator.tick()
        await transactions.abortExpired(engine: self)
    }

    /// The part of `runMaintenance` that works on files (retention, compaction, due flushes): it
    /// blocks for the disk, so a caller on the concurrency pool runs it on a thread of its own.
    public func runStorageMaintenance() {
        let now = clock.nowMillis()
        let all = topics.withLock { Array($0.values) }
        let due = maintenanceClock.withLock { last -> (retention: Bool, compaction: Bool) in
            let r = now - last.retention >= 1000 || now < last.retention
            let c = now - last.compaction >= 60_000 || now < last.compaction
            if r { last.retention = now }
            if c { last.compaction = now }
            return (r, c)
        }
        for t in all {
            for (log, producers) in zip(t.logs, t.producers) {
                do {
                    if due.retention, t.meta.deletesByRetention { try log.applyRetention() }
                    producers.snapshotIfRolled()
                    if due.compaction, t.meta.isCompacted, log.segmentCount > 1 { _ = try log.compact() }
                    try log.flushIfDue()
                } catch {
                    logger.error("maintenance failed", metadata: ["topic": "\(t.meta.name)", "error": "\(error)"])
                }
            }
        }
    }
}

extension Engine {
    /// Makes everything appended to a partition durable now, whatever the fsync policy.
    public func flush(topic: String, partition: Int32) throws(WharfError) {
        try log(topic, partition).flush()
    }

    /// Makes every acknowledged append to a partition durable (a no-op when nothing awaits an
    /// fdatasync, as always under `always`): for a caller whose next step, elsewhere, must not
    /// outlive these records in a power cut (see `PartitionLog.ensureDurable`).
    public func ensureDurable(topic: String, partition: Int32) throws(WharfError) {
        try log(topic, partition).ensureDurable()
    }
}
