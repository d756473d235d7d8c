import Synchronization

/// A latency histogram cheap enough for hot paths (every request, append and fdatasync):
/// `observe` is a scan of 19 fixed bounds and two relaxed atomic adds, with no allocation and no
/// lock. Its buckets are Prometheus's (`le` bounds in seconds, cumulative when read), fixed so
/// that every histogram of the process can be summed and compared on one Grafana panel.
///
/// Thread-safety: any thread may `observe` and read at once; a read taken while observations
/// land may count an observation in its bucket before its sum (never the other way round in a
/// way that loses it): each field is exact, the set is not one atomic snapshot, as with
/// Prometheus's own client libraries.
public final class LatencyHistogram: Sendable {
    /// Upper bounds of the buckets, in nanoseconds: 10 µs to 10 s (an append, an event-loop hop
    /// or a fetch wake-up takes microseconds, an fsync tens to thousands, a long-poll Fetch up to
    /// its max wait).
    public static let boundsNanos: [UInt64] = [
        10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]

    /// One counter per bound, then the overflow (`+Inf`) bucket. A class per cell because
    /// `Atomic` cannot be copied into an array.
    private final class Cell: Sendable {
        let value = Atomic<UInt64>(0)
    }

    private let cells: [Cell]
    private let sumNanos = Atomic<UInt64>(0)

    public init() {
        cells = (0...Self.boundsNanos.count).map { _ in Cell() }
    }

    /// Records one duration.
    @inline(__always)
    public func observe(nanos: UInt64) {
        var i = 0
        let bounds = Self.boundsNanos
        while i < bounds.count, nanos > bounds[i] { i &+= 1 }
        cells[i].value.wrappingAdd(1, ordering: .relaxed)
        sumNanos.wrappingAdd(nanos, ordering: .relaxed)
    }

    /// Records the time since `start` (a `monotonicNanos()` reading).
    @inline(__always)
    public func observe(since start: UInt64) {
        let now = monotonicNanos()
        observe(nanos: now >= start ? now &- start : 0)
    }

    /// The counts as they are now.
    public var snapshot: Snapshot {
        Snapshot(bucketCounts: cells.map { $0.value.load(ordering: .relaxed) }, sumNanos: sumNanos.load(ordering: .relaxed))
    }

    /// Counts per bucket (not cumulative; the last one is the overflow) and the sum.
    public struct Snapshot: Sendable, Equatable {
        public var bucketCounts: [UInt64]
        public var sumNanos: UInt64

        public init(bucketCounts: [UInt64], sumNanos: UInt64) {
            self.bucketCounts = bucketCounts
            self.sumNanos = sumNanos
        }

        /// Observations in all buckets (so `count` always equals the `+Inf` bucket).
        public var count: UInt64 { bucketCounts.reduce(0, &+) }
    }
}
