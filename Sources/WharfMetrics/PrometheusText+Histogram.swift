import WharfCore

extension PrometheusText {
    /// `le` values of `LatencyHistogram.boundsNanos`, in seconds, computed once.
    static let bucketBounds: [String] = LatencyHistogram.boundsNanos.map { format(Double($0) / 1e9) } + ["+Inf"]

    /// One histogram series: cumulative `_bucket`s, `_sum` in seconds and `_count` (equal to the
    /// `+Inf` bucket). The family must have been started with type `.histogram`.
    public mutating func histogram(_ name: String, _ labels: [(String, String)] = [], _ h: LatencyHistogram.Snapshot) {
        var cumulative: UInt64 = 0
        for (i, bound) in Self.bucketBounds.enumerated() where i < h.bucketCounts.count {
            cumulative &+= h.bucketCounts[i]
            writeSeries(name + "_bucket", labels, extra: ("le", bound))
            text += String(cumulative)
            text += "\n"
        }
        sample(name + "_sum", labels, Double(h.sumNanos) / 1e9)
        writeSeries(name + "_count", labels)
        text += String(cumulative)
        text += "\n"
    }
}
