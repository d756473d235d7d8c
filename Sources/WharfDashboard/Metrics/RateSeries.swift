import WharfCore

/// Rate of a monotonically growing counter (an end offset, a committed offset) from timed
/// samples, plus a bounded history of per-interval rates for sparklines.
public struct RateSeries: Sendable, Equatable {
    public struct Sample: Sendable, Equatable {
        public var timeMs: Int64
        public var value: Int64
    }

    /// Recent samples; the rate is measured across all of them (smooths jitter).
    public private(set) var samples: RingBuffer<Sample>
    /// Per-interval rates, oldest first, for the sparkline.
    public private(set) var history: RingBuffer<Double>

    public init(window: Int = 5, historyLength: Int = 60) {
        samples = RingBuffer(capacity: max(2, window + 1))
        history = RingBuffer(capacity: max(1, historyLength))
    }

    /// Adds a sample. A sample not later than the last one is ignored (same snapshot twice).
    public mutating func record(timeMs: Int64, value: Int64) {
        if let last = samples.last {
            guard timeMs > last.timeMs else { return }
            let delta = Double(max(0, OffsetMath.subtract(value, last.value)))
            history.append(delta * 1000 / Double(timeMs - last.timeMs))
        }
        samples.append(Sample(timeMs: timeMs, value: value))
    }

    /// Units per second across the window: the sum of the increases between consecutive
    /// samples over the time spanned. A counter that went down (offsets reset, topic
    /// recreated) counts as no progress for that interval, never as a negative rate, and
    /// does not hide the progress made after it.
    public var perSecond: Double {
        guard samples.count >= 2, let first = samples.first, let last = samples.last, last.timeMs > first.timeMs else { return 0 }
        var gained: Int64 = 0
        for i in 1..<samples.count { gained = OffsetMath.add(gained, max(0, OffsetMath.subtract(samples[i].value, samples[i - 1].value))) }
        return Double(gained) * 1000 / Double(last.timeMs - first.timeMs)
    }

    public var latest: Int64? { samples.last?.value }
}
