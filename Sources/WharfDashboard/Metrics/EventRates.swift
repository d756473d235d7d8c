/// Append rates per event category, from the counts of successive snapshots: the events added
/// over the last `window` samples divided by the time they span. A category whose count goes
/// down (a new source) restarts its history.
public struct EventRates: Sendable, Equatable {
    struct Sample: Sendable, Equatable {
        var timeMs: Int64
        var counts: [String: UInt64]
        var total: UInt64
    }

    public var window = 10
    var samples: [Sample] = []

    public init() {}

    public mutating func ingest(_ snapshot: ClusterSnapshot) {
        guard let events = snapshot.events else { samples = []; return }
        var counts: [String: UInt64] = [:]
        for c in events.categories { counts[c.name] = c.events }
        if let last = samples.last, snapshot.timeMs <= last.timeMs { return }
        samples.append(Sample(timeMs: snapshot.timeMs, counts: counts, total: events.totalEvents))
        if samples.count > window { samples.removeFirst(samples.count - window) }
    }

    /// Events per second appended to `category` (nil: all categories) over the window; 0 with
    /// fewer than two samples.
    public func rate(category: String? = nil) -> Double {
        guard let first = samples.first, let last = samples.last, last.timeMs > first.timeMs else { return 0 }
        let a = category.map { first.counts[$0] ?? 0 } ?? first.total
        let b = category.map { last.counts[$0] ?? 0 } ?? last.total
        guard b >= a else { return 0 }
        return Double(b - a) * 1000 / Double(last.timeMs - first.timeMs)
    }
}
