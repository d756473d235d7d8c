import WharfCore

/// Which dead-lettered records of a dead-letter topic to requeue.
public enum DeadLetterTopicSelection: Sendable, Equatable {
    case all
    /// These offsets, in any partition of the dead-letter topic.
    case offsets(Set<Int64>)
    /// Records whose exception message is exactly this.
    case reason(String)
    /// Records whose value contains this text (UTF-8).
    case contains(String)

    public func matches(_ record: StoredRecord, _ origin: DeadLetterOrigin?) -> Bool {
        switch self {
        case .all: return true
        case .offsets(let set): return set.contains(record.offset)
        case .reason(let r): return origin?.reason == r
        case .contains(let text):
            guard let value = record.value else { return false }
            return String(decoding: value, as: UTF8.self).contains(text)
        }
    }
}

/// What a requeue did (or, in a dry run, would do).
public struct DeadLetterRequeueResult: Equatable, Sendable {
    public struct Move: Equatable, Sendable {
        public var partition: Int32
        public var offset: Int64
        public var target: String
    }
    public var dryRun: Bool
    public var moves: [Move]
    /// Selected records skipped because no original topic is known and no `--to` was given.
    public var withoutTarget: [Int64]
    /// Records per target topic.
    public var byTarget: [String: Int] {
        moves.reduce(into: [:]) { $0[$1.target, default: 0] += 1 }
    }
}

/// The requeue progress of one partition of a dead-letter topic, kept as a committed offset of
/// the internal group `__wharf-requeue.<topic>`: every offset below `prefix` is done, and the
/// metadata lists requeued offsets above it (`"12,15-20"`), so a filtered requeue does not
/// swallow the records it did not select, and a re-run does not requeue anything twice.
/// Public for the requeue over the Kafka protocol, which keeps the same bookmark.
public struct RequeueProgress: Equatable, Sendable {
    public var prefix: Int64
    public var done: Set<Int64>

    public func isDone(_ offset: Int64) -> Bool { offset < prefix || done.contains(offset) }

    /// Advances the prefix over the contiguous done offsets after it.
    public mutating func compact() {
        while done.remove(prefix) != nil { prefix += 1 }
    }

    public var metadata: String {
        var parts: [String] = []
        var run: (start: Int64, end: Int64)?
        for o in done.sorted() {
            if let r = run, o == r.end + 1 {
                run = (r.start, o)
                continue
            }
            if let r = run { parts.append(Self.text(r)) }
            run = (o, o)
        }
        if let r = run { parts.append(Self.text(r)) }
        return parts.joined(separator: ",")
    }

    private static func text(_ r: (start: Int64, end: Int64)) -> String { r.start == r.end ? "\(r.start)" : "\(r.start)-\(r.end)" }

    public init(prefix: Int64, done: Set<Int64> = []) {
        self.prefix = prefix
        self.done = done
    }

    public init(prefix: Int64, metadata: String) {
        var done: Set<Int64> = []
        for part in metadata.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { Int64($0) }
            if ends.count == 1 { done.insert(ends[0]) } else if ends.count == 2, ends[0] <= ends[1] { done.formUnion(ends[0]...ends[1]) }
        }
        self.init(prefix: prefix, done: done)
    }
}

extension Engine {
    /// The internal group recording how far `topic` has been requeued.
    public static func requeueGroup(for topic: String) -> String { "__wharf-requeue.\(topic)" }

    /// Re-produces selected records of a dead-letter topic to their original topic (or `to`):
    /// key, value and business headers (dead-letter headers stripped), onto the original
    /// partition when it exists, else placed by key. Records already requeued are skipped.
    ///
    /// At-least-once, crash-safe: per partition, the records are appended first and the
    /// progress committed after; a crash in between makes the next run requeue that partition's
    /// batch again (never lose it). The dead-letter records themselves stay (purge removes them).
    public func requeueDeadLetters(topic: String, selection: DeadLetterTopicSelection, to override: String? = nil,
                                   dryRun: Bool = false) async throws(WharfError) -> DeadLetterRequeueResult {
        try await requeueDeadLetters(topic: topic, selection: selection, to: override, dryRun: dryRun, beforeCommit: nil)
    }

    /// `beforeCommit` runs after a partition's appends and before its progress is committed:
    /// tests throw from it to crash the requeue at its one dangerous point.
    func requeueDeadLetters(topic: String, selection: DeadLetterTopicSelection, to override: String?, dryRun: Bool,
                            beforeCommit: ((Int32) throws(WharfError) -> Void)?) async throws(WharfError) -> DeadLetterRequeueResult {
        let t = try self.topic(topic)
        if let override { _ = try self.topic(override) }
        let group = Self.requeueGroup(for: topic)
        let committed = await coordinator.fetchOffsets(groupId: group, partitions: nil)
        var result = DeadLetterRequeueResult(dryRun: dryRun, moves: [], withoutTarget: [])
        for (index, log) in t.logs.enumerated() {
            let partition = Int32(index)
            let tp = TopicPartition(topic, partition)
            var progress = committed[tp].map { RequeueProgress(prefix: $0.offset, metadata: $0.metadata) } ?? RequeueProgress(prefix: 0)
            var next = max(progress.prefix, log.logStartOffset)
            let end = log.logEndOffset
            var moved: [Int64] = []
            while next < end {
                let records = try Self.decodeRecords(of: log, from: next, maxRecords: 500)
                guard let last = records.last else { break }
                for record in records where !progress.isDone(record.offset) {
                    let origin = DeadLetterHeaders.parse(record.headers)
                    guard selection.matches(record, origin) else { continue }
                    guard let target = override ?? origin?.topic ?? t.meta.deadLetterFor else {
                        result.withoutTarget.append(record.offset)
                        continue
                    }
                    result.moves.append(.init(partition: partition, offset: record.offset, target: target))
                    moved.append(record.offset)
                    if !dryRun {
                        let targetTopic = try self.topic(target)
                        let keepPartition = override == nil ? origin?.partition.flatMap { $0 >= 0 && $0 < targetTopic.meta.partitions ? $0 : nil } : nil
                        try produce(topic: target, records: [Record(key: record.key, value: record.value,
                                                                    headers: DeadLetterHeaders.businessHeaders(record.headers))],
                                    partition: keepPartition)
                    }
                }
                next = last.offset + 1
            }
            guard !dryRun, !moved.isEmpty else { continue }
            // Offsets below the log start can never come back: count them as done.
            progress.prefix = max(progress.prefix, log.logStartOffset)
            progress.done.formUnion(moved)
            progress.done = progress.done.filter { $0 >= progress.prefix }
            progress.compact()
            var metadata = progress.metadata
            if metadata.utf8.count > GroupCoordinator.maxMetadataBytes {
                // Too scattered to record exactly: keep the safe prefix; a re-run may requeue
                // some of these again (at-least-once).
                metadata = ""
            }
            try beforeCommit?(partition)
            try await coordinator.commit(groupId: group, generationId: -1, memberId: "",
                                         offsets: [tp: (offset: progress.prefix, metadata: metadata)])
        }
        return result
    }
}
