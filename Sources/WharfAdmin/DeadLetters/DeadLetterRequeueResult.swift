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

        public init(partition: Int32, offset: Int64, target: String) {
            self.partition = partition
            self.offset = offset
            self.target = target
        }
    }
    public var dryRun: Bool
    public var moves: [Move]
    /// Selected records skipped because no original topic is known and no `--to` was given.
    public var withoutTarget: [Int64]
    /// Records per target topic.
    public var byTarget: [String: Int] {
        moves.reduce(into: [:]) { $0[$1.target, default: 0] += 1 }
    }

    public init(dryRun: Bool, moves: [Move], withoutTarget: [Int64]) {
        self.dryRun = dryRun
        self.moves = moves
        self.withoutTarget = withoutTarget
    }
}

/// One chunk's appends, grouped by target partition in first-seen order (so each target gets
/// one batch, in dead-letter order).
public struct RequeueChunk: Sendable {
    public private(set) var destinations: [TopicPartition] = []
    public private(set) var records: [TopicPartition: [Record]] = [:]
    public private(set) var offsets: [Int64] = []

    public init() {}

    public var isEmpty: Bool { offsets.isEmpty }

    public mutating func add(_ record: Record, offset: Int64, to destination: TopicPartition) {
        if records[destination] == nil { destinations.append(destination) }
        records[destination, default: []].append(record)
        offsets.append(offset)
    }
}
