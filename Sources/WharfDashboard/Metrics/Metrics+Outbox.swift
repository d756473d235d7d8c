/// Outbox metrics derived from successive snapshots: the publish rate and failure rate from
/// the relay's counters, and the backlog (pending rows) history for the sparkline.
public struct OutboxMetrics: Sendable {
    /// Rows published per second (from `publishedTotal`).
    public var published: RateSeries
    /// Failed attempts per second (from `failuresTotal`).
    public var failures: RateSeries
    /// Pending rows, one point per snapshot, oldest first.
    public var backlog: RingBuffer<Int64>
    var seen: Int64 = 0
}

extension Metrics {
    public func outbox(_ name: String) -> OutboxMetrics? { outboxes[name] }
    public func publishRate(outbox name: String) -> Double { outboxes[name]?.published.perSecond ?? 0 }
    public func failureRate(outbox name: String) -> Double { outboxes[name]?.failures.perSecond ?? 0 }

    /// Records one snapshot of every outbox; outboxes no longer present are dropped.
    mutating func ingestOutboxes(_ list: [OutboxSnapshot], now: Int64) {
        guard !list.isEmpty || !outboxes.isEmpty else { return }
        for o in list {
            // Taken out of the dictionary so appending does not copy the ring buffers.
            var m = outboxes.removeValue(forKey: o.name) ?? OutboxMetrics(
                published: RateSeries(window: config.rateWindow, historyLength: config.historyLength),
                failures: RateSeries(window: config.rateWindow, historyLength: 1),
                backlog: RingBuffer(capacity: config.historyLength))
            m.published.record(timeMs: now, value: o.publishedTotal)
            m.failures.record(timeMs: now, value: o.failuresTotal)
            m.backlog.append(o.pending)
            m.seen = tick
            outboxes[o.name] = m
        }
        if outboxes.count > list.count { outboxes = outboxes.filter { $0.value.seen == tick } }
    }
}
