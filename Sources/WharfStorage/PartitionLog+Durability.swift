import Synchronization
import WharfCore

/// Durability: fdatasync per the fsync policy, explicit flush, close with the clean-shutdown
/// marker, and removal. A failed fdatasync stops the log for appends and flushes (`State.failure`):
/// after one, Linux may have dropped the dirty pages, so nothing could honestly be acknowledged.
extension PartitionLog {
    /// fdatasync without holding the lock; a failure stops the log (see `State.failure`).
    func sync(_ file: PosixFile) throws(WharfError) {
        let started = monotonicNanos()
        do throws(WharfError) {
            try file.sync()
        } catch {
            state.withLock { $0.failure = error.description }
            logger.error("fdatasync failed; log stopped", metadata: ["directory": "\(directory)", "error": "\(error)"])
            throw error
        }
        dataSyncs.add(1, ordering: .relaxed)
        StorageLatencies.fsync.observe(since: started)
    }

    /// fdatasync with the lock held (roll, flush, close).
    func syncLocked(_ s: inout State, _ file: PosixFile) throws(WharfError) {
        let started = monotonicNanos()
        do throws(WharfError) {
            try file.sync()
        } catch {
            s.failure = error.description
            logger.error("fdatasync failed; log stopped", metadata: ["directory": "\(directory)", "error": "\(error)"])
            throw error
        }
        dataSyncs.add(1, ordering: .relaxed)
        StorageLatencies.fsync.observe(since: started)
    }

    /// fdatasync if the interval policy says it is due (callers can run this from a timer).
    public func flushIfDue() throws(WharfError) {
        let now = clock.nowMillis()
        let due = try state.withLock { (s: inout State) throws(WharfError) -> (PosixFile, end: Int64, bytes: Int64, base: Int64)? in
            try checkWritable(s)
            guard case .interval(let ms) = s.config.fsync, let since = s.dirtySince, now - since >= Int64(ms) else { return nil }
            s.dirtySince = nil
            return (try s.active.openFile(), s.logEndOffset, s.active.size, s.active.baseOffset)
        }
        guard let due else { return }
        try sync(due.0)
        state.withLock { $0.markSynced(upTo: due.end, bytes: due.bytes, segmentBase: due.base) }
    }

    /// Makes every append acknowledged so far durable before the caller's next step goes to
    /// another log (a queue move's journal entry, a requeue's progress, an outbox row marked
    /// published): nothing to do under `always` or when a completed fdatasync covers every
    /// append, otherwise a `flush`. Two logs are synced independently, so without this the later step
    /// could survive a power cut that erases the earlier one.
    public func ensureDurable() throws(WharfError) {
        try state.withLock { (s: inout State) throws(WharfError) in
            try checkWritable(s)
            // Under `always` each acknowledged append was synced before it returned. Otherwise
            // `syncedEnd` moves only once an fdatasync completed (unlike `dirtySince`, which an
            // append clears before its sync runs), so a sync still in flight does not count.
            guard s.config.fsync != .always, s.syncedEnd < s.logEndOffset else { return }
            try flushLocked(&s, seal: false)
        }
    }

    /// Makes the records below `offset` durable (an offset commit pointing there is about to be
    /// persisted in another log) when no completed fdatasync covers them yet, without blocking a
    /// thread: the log's syncer runs the fdatasync, shared with every other waiter of that round.
    /// The group coordinator calls it from an actor, where a blocking fdatasync would stall a
    /// thread of the concurrency pool and every commit queued behind it.
    public func durable(below offset: Int64) async throws(WharfError) {
        let target = try state.withLock { (s: inout State) throws(WharfError) -> Int64? in
            try checkWritable(s)
            let end = min(offset, s.logEndOffset)
            guard s.config.fsync != .always, s.syncedEnd < end else { return nil }
            return end
        }
        guard let target else { return }
        try await waitDurable(upTo: target)
    }

    /// fdatasync the active segment and write its pending index entries.
    public func flush() throws(WharfError) {
        try state.withLock { (s: inout State) throws(WharfError) in
            try checkWritable(s)
            try flushLocked(&s, seal: false)
        }
    }

    func flushLocked(_ s: inout State, seal: Bool) throws(WharfError) {
        let i = s.segments.count - 1
        if seal { try s.segments[i].trimFile() }
        try syncLocked(&s, s.segments[i].openFile())
        s.dirtySince = nil
        s.markAllSynced()
        if seal { s.segments[i].sealTimeIndex() }
        try s.segments[i].persistIndexes(sync: seal)
    }

    /// Flush, write the clean-shutdown marker, close files. Further calls throw.
    public func close() throws(WharfError) {
        try state.withLock { (s: inout State) throws(WharfError) in
            try checkWritable(s)
            try flushLocked(&s, seal: true)
            let marker = directory + "/" + Self.cleanShutdownFile
            try FileSystem.writeFile(marker, [], sync: true, faults: faults)
            try FileSystem.syncDirectory(of: marker, faults: faults)
            s.closedLogEnd = s.logEndOffset
            s.closed = true
            files.remove(s.segments.map(\.fileID))
            s.segments = []
        }
    }

    /// Close (without the clean marker) and remove the whole directory (topic deletion).
    public func deleteFromDisk() throws(WharfError) {
        state.withLock { s in
            s.closedLogEnd = s.logEndOffset
            s.closed = true
            files.remove(s.segments.map(\.fileID))
            s.segments = []
        }
        try FileSystem.removeTree(directory, faults: faults)
    }
}
