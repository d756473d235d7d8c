/// History derived from successive snapshots for the Queues and Dead letters views: per queue
/// the active and dead-lettered depth (sparklines, trends), per dead-letter entity its count
/// over time (growth per minute).
///
/// Bounded like the rest of `Metrics`: ring buffers only, and entities missing from the latest
/// snapshot are dropped.
public struct QueueMetrics: Sendable {
    public struct Depth: Sendable {
        public var active: RingBuffer<Int64>
        public var deadLettered: RingBuffer<Int64>
    }

    /// Timed samples of a dead-letter entity's count.
    public struct DeadLetterWindow: Sendable {
        public var samples: RingBuffer<RateSeries.Sample>
    }

    public let historyLength: Int
    /// Span the growth per minute is measured over (the oldest sample kept within it).
    public let growthWindowMs: Int64
    public private(set) var queues: [String: Depth] = [:]
    public private(set) var deadLetters: [String: DeadLetterWindow] = [:]

    public init(historyLength: Int = 60, growthWindowMs: Int64 = 60_000) {
        self.historyLength = max(1, historyLength)
        self.growthWindowMs = growthWindowMs
    }

    public func depth(queue: String) -> Depth? { queues[queue] }

    /// Net change of the entity's count per minute over the growth window (negative when it
    /// shrinks, e.g. after a requeue); nil until two samples exist.
    public func growthPerMinute(_ entity: String) -> Double? {
        guard let w = deadLetters[entity]?.samples, w.count >= 2, let last = w.last else { return nil }
        // The oldest sample still inside the window, so a requeue an hour ago does not count.
        var first = w[0]
        for i in 0..<(w.count - 1) where last.timeMs - w[i].timeMs <= growthWindowMs {
            first = w[i]
            break
        }
        guard last.timeMs > first.timeMs else { return nil }
        return Double(last.value - first.value) * 60_000 / Double(last.timeMs - first.timeMs)
    }

    mutating func ingest(_ snapshot: ClusterSnapshot) {
        let now = snapshot.timeMs
        if let list = snapshot.queues {
            for q in list {
                var d = queues.removeValue(forKey: q.name)
                    ?? Depth(active: RingBuffer(capacity: historyLength), deadLettered: RingBuffer(capacity: historyLength))
                d.active.append(q.active)
                d.deadLettered.append(q.deadLettered)
                queues[q.name] = d
            }
            if queues.count > list.count {
                let names = Set(list.map(\.name))
                queues = queues.filter { names.contains($0.key) }
            }
        } else if !queues.isEmpty {
            queues = [:]
        }
        let dls = snapshot.deadLetters ?? []
        for d in dls {
            // Enough samples to span the growth window at a fast refresh, bounded.
            var w = deadLetters.removeValue(forKey: d.entity) ?? DeadLetterWindow(samples: RingBuffer(capacity: 240))
            w.samples.append(RateSeries.Sample(timeMs: now, value: d.count))
            deadLetters[d.entity] = w
        }
        if deadLetters.count > dls.count {
            let names = Set(dls.map(\.entity))
            deadLetters = deadLetters.filter { names.contains($0.key) }
        }
    }
}
