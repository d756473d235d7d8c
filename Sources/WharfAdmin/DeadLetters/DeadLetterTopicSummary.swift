import WharfCore

/// One dead-letter topic as the dashboard's Dead-letters view and `wharf dlq list` show it.
public struct DeadLetterTopicSummary: Equatable, Sendable {
    public var topic: String
    /// The convention of the records sampled (the first one found).
    public var convention: DeadLetterOrigin.Convention
    /// Records retained (log end minus log start, over all partitions).
    public var count: Int64
    /// Timestamp (ms) of the oldest retained record; nil when the topic is empty.
    public var oldestTimestamp: Int64?
    /// Original topics named by the sampled records, most frequent first.
    public var originalTopics: [String]
    /// Exception messages of the sampled records with their counts, most frequent first (at most 5).
    public var topReasons: [(reason: String, count: Int)]

    public static func == (a: Self, b: Self) -> Bool {
        a.topic == b.topic && a.convention == b.convention && a.count == b.count && a.oldestTimestamp == b.oldestTimestamp
            && a.originalTopics == b.originalTopics && a.topReasons.map(\.reason) == b.topReasons.map(\.reason)
            && a.topReasons.map(\.count) == b.topReasons.map(\.count)
    }

    /// Builds a summary partition by partition, with the rules every reader shares (the engine
    /// reading its logs, the cluster client reading over Fetch): a partition's oldest record
    /// decides whether it is dead-lettered; reasons and original topics come from a sample of
    /// its newest records.
    public struct Builder: Sendable {
        var convention: DeadLetterOrigin.Convention?
        var count: Int64 = 0
        var oldest: Int64?
        var reasons: [String: Int] = [:]
        var originals: [String: Int] = [:]

        public init() {}

        /// Counts a partition's `retained` records; returns whether its oldest record, `first`,
        /// carries dead-letter headers (then sample its newest records with `addSample`).
        public mutating func addPartition(retained: Int64, first: StoredRecord?) -> Bool {
            count += retained
            guard let first else { return false }
            oldest = min(oldest ?? first.timestamp, first.timestamp)
            guard let origin = DeadLetterHeaders.parse(first.headers) else { return false }
            convention = convention ?? origin.convention
            return true
        }

        public mutating func addSample(_ records: [StoredRecord]) {
            for record in records {
                guard let o = DeadLetterHeaders.parse(record.headers) else { continue }
                if let r = o.reason { reasons[r, default: 0] += 1 }
                if let ot = o.topic { originals[ot, default: 0] += 1 }
            }
        }

        /// The summary, or nil when no partition was dead-lettered and the topic is not declared
        /// a dead-letter topic of `declaredFor`.
        public func build(topic: String, declaredFor: String? = nil) -> DeadLetterTopicSummary? {
            guard let convention = convention ?? (declaredFor != nil ? .configured : nil) else { return nil }
            var originals = originals
            if let declaredFor, originals[declaredFor] == nil { originals[declaredFor] = 0 }
            let byCount = { (a: (key: String, value: Int), b: (key: String, value: Int)) in a.value != b.value ? a.value > b.value : a.key < b.key }
            return DeadLetterTopicSummary(topic: topic, convention: convention, count: count, oldestTimestamp: oldest,
                                          originalTopics: originals.sorted(by: byCount).map(\.key),
                                          topReasons: reasons.sorted(by: byCount).prefix(5).map { ($0.key, $0.value) })
        }
    }
}

extension DeadLetterTopicSummary {
    /// Which of `candidates` (topics whose verdict must be read) to read now, as indexes into
    /// it, within `partitionBudget` partitions: a source that polls a large cluster spreads its
    /// first verdicts over a few refreshes instead of reading every partition at once. Topics
    /// named like dead-letter topics go first, then the rest in order; a topic larger than the
    /// whole budget is read alone, so none waits forever.
    public static func verdictBatch(_ candidates: [(name: String, partitions: Int)], partitionBudget: Int) -> [Int] {
        let order = candidates.indices.filter { looksDeadLettered(candidates[$0].name) }
            + candidates.indices.filter { !looksDeadLettered(candidates[$0].name) }
        var chosen: [Int] = []
        var budget = partitionBudget
        for i in order where chosen.isEmpty || candidates[i].partitions <= budget {
            chosen.append(i)
            budget -= candidates[i].partitions
        }
        return chosen
    }

    /// Names that usually mean a dead-letter topic: Spring's `.DLT`, `-dlq`, `deadletter`, `errors`.
    public static func looksDeadLettered(_ name: String) -> Bool {
        let n = name.lowercased()
        return ["dlt", "dlq", "dead", "error"].contains { n.contains($0) }
    }
}
