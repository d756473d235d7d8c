import WharfCore

/// Reads: plan under the lock (segment views, bounds), I/O outside it.
extension PartitionLog {
    struct ReadPlan: Sendable {
        var views: [SegmentView]
        var logStartOffset: Int64
        var logEndOffset: Int64
    }

    func outOfRange(_ offset: Int64, _ s: State) -> WharfError {
        .offsetOutOfRange(topic: topicPartition.topic, partition: topicPartition.partition, offset: offset,
                          logStart: s.logStartOffset, logEnd: s.readableEnd)
    }

    /// Views of the segment holding `offset` and the next one (compaction or a corrupt closed
    /// segment can leave the rest of a segment without the offset; the next segment then starts
    /// with a later one). Empty when `offset` is the log end.
    func plan(at offset: Int64, throwOutOfRange: Bool) throws(WharfError) -> ReadPlan? {
        try state.withLock { (s: inout State) throws(WharfError) -> ReadPlan? in
            guard !s.closed else { throw closedError }
            let end = s.readableEnd
            guard offset >= s.logStartOffset, offset <= end else {
                if throwOutOfRange { throw outOfRange(offset, s) }
                return nil
            }
            var plan = ReadPlan(views: [], logStartOffset: s.logStartOffset, logEndOffset: end)
            guard offset < end else { return plan }
            let i = s.segmentIndex(for: offset)
            plan.views.append(s.segments[i].view(near: offset, file: try readableFile(s, i), readableSize: s.readableSize(of: i)))
            // Only a fallback: a next segment that cannot be opened must not fail this read.
            if i + 1 < s.segments.count, let next = try? readableFile(s, i + 1) {
                plan.views.append(s.segments[i + 1].view(near: s.segments[i + 1].baseOffset, file: next,
                                                         readableSize: s.readableSize(of: i + 1)))
            }
            return plan
        }
    }

    /// The largest batch `maxTimestamp` of the log (KIP-734's max_timestamp); nil when the log
    /// holds no timestamped record.
    public var maxTimestamp: Int64? {
        let largest = state.withLock { s in s.segments.reduce(LogSegment.noTimestamp) { max($0, $1.maxTimestamp) } }
        return largest == LogSegment.noTimestamp ? nil : largest
    }

    /// Whole batches starting with the one containing `offset`, up to `maxBytes` but always at
    /// least one whole batch (KIP-74), all from one segment. `offset == logEndOffset` gives empty
    /// bytes; below the log start or past the log end throws `.offsetOutOfRange`.
    /// One `pread` into the result (plus index-bounded header reads to find the first batch).
    public func read(from offset: Int64, maxBytes: Int) throws(WharfError) -> FetchResult {
        guard let plan = try plan(at: offset, throwOutOfRange: true) else { preconditionFailure("plan throws when out of range") }
        var result = FetchResult(bytes: [], highWatermark: plan.logEndOffset, logStartOffset: plan.logStartOffset)
        for view in plan.views {
            if let (header, position) = try view.findBatch(containing: offset) {
                result.bytes = try view.readBatches(at: position, firstSize: header.totalSize, maxBytes: maxBytes)
                break
            }
        }
        return result
    }

    /// Kafka ListOffsets by timestamp: the first offset (>= log start) whose record timestamp is
    /// >= `ts`, or nil if none. Picks the first segment whose newest timestamp is >= `ts`, starts at
    /// its time index entry, scans batch headers up to the first batch whose `maxTimestamp >= ts`
    /// and decodes only that batch. Compressed batches answer with their first offset.
    public func offset(forTimestamp ts: Int64) throws(WharfError) -> Int64? {
        let (views, logStart) = try state.withLock { (s: inout State) throws(WharfError) -> ([SegmentView], Int64) in
            guard !s.closed else { throw closedError }
            let start = s.segmentIndex(for: s.logStartOffset)
            var views: [SegmentView] = []
            for i in start..<s.segments.count where s.segments[i].maxTimestamp >= ts && !s.segments[i].isEmpty {
                let file = try readableFile(s, i)
                let byTime = s.segments[i].view(nearTimestamp: ts, file: file, readableSize: s.readableSize(of: i))
                let byStart = s.segments[i].view(near: s.logStartOffset, file: file, readableSize: s.readableSize(of: i))
                views.append(byTime.hint >= byStart.hint || i != start ? byTime : byStart)
                if views.count == 4 { break }
            }
            return (views, s.logStartOffset)
        }
        for view in views {
            if let found = try view.firstRecord(batchMatches: { $0.lastOffset >= logStart && $0.maxTimestamp >= ts },
                                                recordMatches: { $0 >= logStart && $1 >= ts }) {
                return found.offset
            }
        }
        return nil
    }

    /// The timestamp of the record at `offset` (or, in a gap left by compaction, of the next
    /// record); nil if `offset` is outside `logStartOffset..<logEndOffset`. Uses the offset index
    /// and decodes one batch. For a compressed batch: its base timestamp (or the append time).
    public func timestamp(ofOffset offset: Int64) throws(WharfError) -> Int64? {
        guard let plan = try plan(at: offset, throwOutOfRange: false) else { return nil }
        for view in plan.views {
            if let found = try view.firstRecord(batchMatches: { $0.lastOffset >= offset }, recordMatches: { o, _ in o >= offset }) {
                return found.timestamp
            }
        }
        return nil
    }
}

extension SegmentView {
    /// Scans batches from `hint` and decodes those whose header matches, returning the first
    /// record that matches (offset, timestamp). Compressed batches cannot be decoded here: their
    /// first offset and base timestamp (append time for LogAppendTime) stand in for their records.
    func firstRecord(batchMatches: (RecordBatchHeader) -> Bool,
                     recordMatches: (Int64, Int64) -> Bool) throws(WharfError) -> (offset: Int64, timestamp: Int64)? {
        var scanner = BatchScanner(file: file, from: hint, to: end, chunk: 16 << 10)
        while true {
            switch try scanner.next(verifyCRC: false) {
            case .end: return nil
            case .torn(let pos, let why): throw .corrupt("\(file.path) at \(pos): \(why)")
            case .batch(let h, let pos):
                guard batchMatches(h) else { continue }
                if h.compression != .none {
                    let ts = h.isLogAppendTime ? h.maxTimestamp : h.baseTimestamp
                    if recordMatches(h.lastOffset, h.maxTimestamp) { return (h.baseOffset, ts) }
                    continue
                }
                let bytes = try file.read(count: h.totalSize, at: pos)
                var found: (offset: Int64, timestamp: Int64)?
                do {
                    try bytes.withUnsafeBytes { raw in
                        try RecordBatchReader.forEachRecord(in: raw) { record in
                            if found == nil && recordMatches(record.offset, record.timestamp) {
                                found = (record.offset, record.timestamp)
                            }
                        }
                    }
                } catch {
                    throw .corrupt("\(file.path) at \(pos): cannot decode batch: \(error)")
                }
                if let found { return found }
            }
        }
    }
}
