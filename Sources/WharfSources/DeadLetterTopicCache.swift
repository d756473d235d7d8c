import WharfAdmin

/// What was last learnt about each topic's dead letters, and the offsets it was learnt at. A topic
/// is recognised by the headers of its oldest records, so its verdict is read again only when a
/// partition's log start moved or an empty partition got records; a dead-letter topic's reasons
/// are recounted only when its end moved. A busy ordinary topic therefore costs no reads per
/// refresh, on any source.
public struct DeadLetterTopicCache: Sendable {
    struct Sample: Sendable {
        /// Log start and end per partition when sampled.
        var bounds: [PartitionBounds]
        /// nil: not a dead-letter topic.
        var summary: DeadLetterTopicSummary?
    }

    struct PartitionBounds: Equatable, Sendable {
        var start: Int64
        var end: Int64
    }

    private var samples: [String: Sample] = [:]

    public init() {}

    /// The topics whose verdict must be read this refresh, at most `partitionBudget` partitions'
    /// worth (`DeadLetterTopicSummary.verdictBatch`: on a cluster with tens of thousands of
    /// partitions the first verdicts fill in over a few refreshes; topics named like dead-letter
    /// topics go first). They are marked as sampled at their current offsets, keeping their last
    /// summary until `store` or `forget`. Empty topics are settled without a read, and topics that
    /// are gone are dropped.
    public mutating func due(_ topics: [TopicDescription], partitionBudget: Int) -> [String] {
        var candidates: [(name: String, bounds: [PartitionBounds])] = []
        var live: Set<String> = []
        for topic in topics where !topic.isInternal {
            live.insert(topic.name)
            let bounds = topic.partitions.map { PartitionBounds(start: $0.logStartOffset, end: $0.logEndOffset) }
            if let cached = samples[topic.name], !Self.needsResample(cached, bounds) { continue }
            // Nothing to read in an empty topic: it is not a dead-letter topic until it has records.
            if bounds.allSatisfy({ $0.start == $0.end }) {
                samples[topic.name] = Sample(bounds: bounds, summary: nil)
                continue
            }
            candidates.append((topic.name, bounds))
        }
        // The rest wait their turn: left out of the cache, so the next refresh picks them up.
        let chosen = DeadLetterTopicSummary.verdictBatch(candidates.map { ($0.name, $0.bounds.count) }, partitionBudget: partitionBudget)
        for i in chosen {
            let name = candidates[i].name
            samples[name] = Sample(bounds: candidates[i].bounds, summary: samples[name]?.summary)
        }
        // Every sample is now of a live topic or of one that is gone: more samples than topics
        // means some are gone (counted after the additions, so a topic deleted while another
        // appeared is dropped too).
        if samples.count > live.count { samples = samples.filter { live.contains($0.key) } }
        return chosen.map { candidates[$0].name }
    }

    /// The verdicts read for `topics` (those without a summary are not dead-letter topics).
    public mutating func store(_ summaries: [DeadLetterTopicSummary], for topics: [String]) {
        let byName = Dictionary(summaries.map { ($0.topic, $0) }, uniquingKeysWith: { a, _ in a })
        for name in topics { samples[name]?.summary = byName[name] }
    }

    /// Could not read them: ask again next refresh.
    public mutating func forget(_ topics: [String]) {
        for name in topics { samples[name] = nil }
    }

    public func summary(of topic: String) -> DeadLetterTopicSummary? { samples[topic]?.summary }

    /// Every known dead-letter topic's summary, by name.
    public var summaries: [DeadLetterTopicSummary] { samples.values.compactMap(\.summary).sorted { $0.topic < $1.topic } }

    static func needsResample(_ cached: Sample, _ bounds: [PartitionBounds]) -> Bool {
        guard cached.bounds.count == bounds.count else { return true }
        for (old, new) in zip(cached.bounds, bounds) {
            if old.start != new.start { return true }
            if old.end == old.start, new.end > new.start { return true }
            if cached.summary != nil, old.end != new.end { return true }
        }
        return false
    }
}
