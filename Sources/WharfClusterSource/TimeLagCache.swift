import WharfCore

/// The timestamp of the record at a group's position, per partition. Two groups at the same
/// position share an entry; a different position replaces it.
public struct TimeLagCache: Sendable {
    /// Fetches per refresh are bounded so a cluster of thousands of lagging partitions does not
    /// turn one refresh into a scan; the remainder is read over the next refreshes.
    public static let maxFetchesPerRefresh = 500
    private var entries: [TopicPartition: [Int64: Int64]] = [:]

    public init() {}

    public func timestamp(_ tp: TopicPartition, at position: Int64) -> Int64? { entries[tp]?[position] }

    public mutating func store(_ tp: TopicPartition, position: Int64, timestamp: Int64) {
        entries[tp, default: [:]][position] = timestamp
        // Several groups may sit at different positions of one partition; keep a few.
        if entries[tp]!.count > 8, let oldest = entries[tp]!.keys.min() { entries[tp]![oldest] = nil }
    }

    public mutating func keepOnly(_ live: Set<TopicPartition>) {
        if entries.count > live.count { entries = entries.filter { live.contains($0.key) } }
    }
}
