import WharfCore

/// The requeue progress of one partition of a dead-letter topic, kept as a committed offset of
/// the internal group `__wharf-requeue.<topic>`: every offset below `prefix` is done, and the
/// metadata lists requeued offsets above it (`"12,15-20"`), so a filtered requeue does not
/// swallow the records it did not select, and a re-run does not requeue anything twice.
///
/// While a chunk is being appended the metadata also carries the chunk's `intents` after a `|`
/// (`"12,15-20|orders/1@120+37;orders/0@88+2"`): where each target partition ended before the
/// appends and how many records go there. A run that finds intents left by a crash scans just
/// those ranges for its own `wharf.requeued-from` headers (`RequeueProvenance`), so what was
/// appended counts as done and nothing is requeued twice. Topic names cannot contain `/ @ + ; |`.
/// Public for the requeue over the Kafka protocol, which keeps the same bookmark.
public struct RequeueProgress: Equatable, Sendable {
    public var prefix: Int64
    public var done: Set<Int64>
    public var intents: [RequeueIntent]

    public func isDone(_ offset: Int64) -> Bool { offset < prefix || done.contains(offset) }

    /// Advances the prefix over the contiguous done offsets after it.
    public mutating func compact() {
        while done.remove(prefix) != nil { prefix += 1 }
    }

    /// Marks `offsets` done, forgets offsets below `logStart` (they can never come back), and
    /// advances the prefix.
    public mutating func markDone(_ offsets: some Sequence<Int64>, logStart: Int64) {
        prefix = max(prefix, logStart)
        done.formUnion(offsets)
        done = done.filter { $0 >= prefix }
        compact()
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
        let offsets = parts.joined(separator: ",")
        guard !intents.isEmpty else { return offsets }
        return offsets + "|" + intents.map(\.text).joined(separator: ";")
    }

    /// The metadata to commit: exact when it fits the coordinator's limit; else the done set is
    /// dropped (only the safe prefix is kept, and a re-run may requeue some records again), and
    /// if even the intents do not fit they go too (this chunk is then at-least-once).
    public var committableMetadata: String {
        let full = metadata
        if full.utf8.count <= OffsetCommitLimits.maxMetadataBytes { return full }
        let intentsOnly = RequeueProgress(prefix: prefix, done: [], intents: intents).metadata
        return intentsOnly.utf8.count <= OffsetCommitLimits.maxMetadataBytes ? intentsOnly : ""
    }

    private static func text(_ r: (start: Int64, end: Int64)) -> String { r.start == r.end ? "\(r.start)" : "\(r.start)-\(r.end)" }

    public init(prefix: Int64, done: Set<Int64> = [], intents: [RequeueIntent] = []) {
        self.prefix = prefix
        self.done = done
        self.intents = intents
    }

    /// Reads a committed bookmark of a partition that holds `retained` (log start ..< log end).
    ///
    /// The bookmark is anyone's to write over the Kafka protocol of a real cluster, so it is
    /// checked, not trusted: done offsets below the prefix or the log start are dropped (they can
    /// never be requeued again), a done offset at or past the log end, a negative prefix or
    /// intent, or text that is not a bookmark throws `.corrupt` naming the group's partition.
    /// The done set therefore never holds more offsets than the partition retains, nor more
    /// than `maxDoneOffsets` (a set that size is what a bookmark can cost in memory), and no
    /// count can overflow.
    /// The most done offsets above the prefix a bookmark may hold, so parsing one costs at most
    /// tens of MB. A real one gets there only when a filtered requeue moved over a million
    /// records past one it left; that requeue then stops with the error, and moving the
    /// group's offset past the records left behind (or deleting it) lets it continue.
    public static let maxDoneOffsets: Int64 = 1_000_000

    public init(prefix: Int64, metadata: String, retained: Range<Int64>, partition: TopicPartition) throws(WharfError) {
        func corrupt(_ why: String) -> WharfError {
            .corrupt("the requeue bookmark of \(partition) (group \(RequeueRules.group(for: partition.topic))) is not one Wharf wrote: \(why); delete that group's offsets to start the requeue over")
        }
        guard prefix >= 0 else { throw corrupt("negative offset \(prefix)") }
        let halves = metadata.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let floor = max(prefix, retained.lowerBound)
        var done: Set<Int64> = []
        var count: Int64 = 0
        for part in (halves.first ?? "").split(separator: ",") {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int64($0) }
            guard (1...2).contains(ends.count), let first = ends.first!, let last = ends.last!, first >= 0, first <= last else {
                throw corrupt("'\(part.prefix(40))' is not an offset or a range of offsets")
            }
            guard last < retained.upperBound else { throw corrupt("offset \(last) is past the log end \(retained.upperBound)") }
            guard last >= floor else { continue }
            count += last - max(first, floor) + 1  // both in 0..<upperBound: cannot overflow
            guard count <= Self.maxDoneOffsets else { throw corrupt("it marks more than \(Self.maxDoneOffsets) offsets done above its prefix") }
            done.formUnion(max(first, floor)...last)
        }
        var intents: [RequeueIntent] = []
        if halves.count == 2 {
            for text in halves[1].split(separator: ";") {
                guard let intent = RequeueIntent(text: text) else { throw corrupt("'\(text.prefix(60))' is not a requeue intent") }
                intents.append(intent)
            }
        }
        self.init(prefix: prefix, done: done, intents: intents)
    }
}

/// Records about to be appended to one target partition: it ended at `startOffset` before, and
/// `count` records go there.
public struct RequeueIntent: Equatable, Sendable {
    public var destination: TopicPartition
    public var startOffset: Int64
    public var count: Int

    public init(destination: TopicPartition, startOffset: Int64, count: Int) {
        self.destination = destination
        self.startOffset = startOffset
        self.count = count
    }

    /// More records than one chunk can hold: a bookmark claiming more is not one Wharf wrote.
    static let maxCount = 1 << 24

    /// "orders/1@120+37".
    var text: String { "\(destination.topic)/\(destination.partition)@\(startOffset)+\(count)" }

    init?(text: Substring) {
        guard let slash = text.lastIndex(of: "/"), let at = text.lastIndex(of: "@"), let plus = text.lastIndex(of: "+"),
              slash < at, at < plus,
              let partition = Int32(text[text.index(after: slash)..<at]),
              let start = Int64(text[text.index(after: at)..<plus]), let count = Int(text[text.index(after: plus)...]),
              partition >= 0, start >= 0, (0...Self.maxCount).contains(count) else { return nil }
        self.init(destination: TopicPartition(String(text[..<slash]), partition), startOffset: start, count: count)
    }
}

/// The header that says which dead-letter record a requeued record came from
/// (`wharf.requeued-from: orders.DLT/0/17`): an audit trail for whoever reads the topic, and
/// what a requeue interrupted by a crash looks for to know what it already appended.
public enum RequeueProvenance {
    public static let header = "wharf.requeued-from"

    /// The record to append for dead-letter record `record` of `deadLetterTopic`/`partition`:
    /// key, value, business headers (an earlier requeue's provenance replaced) and provenance.
    public static func requeued(_ record: StoredRecord, from deadLetterTopic: String, partition: Int32) -> Record {
        let headers = DeadLetterHeaders.businessHeaders(record.headers).filter { $0.key != header }
            + [RecordHeader(header, "\(deadLetterTopic)/\(partition)/\(record.offset)")]
        return Record(key: record.key, value: record.value, headers: headers)
    }

    /// The dead-letter offset `headers` name when they came from `deadLetterTopic`/`partition`.
    public static func offset(in headers: [RecordHeader], from deadLetterTopic: String, partition: Int32) -> Int64? {
        guard let value = headers.last(where: { $0.key == header })?.value else { return nil }
        let text = String(decoding: value, as: UTF8.self)
        let prefix = "\(deadLetterTopic)/\(partition)/"
        guard text.hasPrefix(prefix) else { return nil }
        return Int64(text.dropFirst(prefix.count))
    }

    /// How far past an intent's start a recovery scan reads before it concludes the rest of the
    /// chunk was never appended (other producers may have written in between).
    public static let scanSlack = 100_000
}
