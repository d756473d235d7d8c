import WharfDashboard

/// What a `/metrics` scrape answers: the last snapshot a refresh recorded (the dashboard's own
/// refresh, or `MetricsRefresher` where there is no dashboard) written out once, plus the live
/// families (latency histograms, listener connections) read at each scrape.
///
/// A scrape never walks the data directory or asks the cluster: its cost is the text of the
/// cached snapshot (rendered on the first scrape after a refresh, then reused) and a few
/// histograms, however often Prometheus scrapes.
public actor MetricsFeed {
    /// Writes the families that are read live at each scrape.
    public typealias LiveWriter = @Sendable (inout PrometheusText) -> Void

    private var derived = Metrics()
    private var latest: ClusterSnapshot?
    private var rendered: String?
    /// The last rendering's size: the next one reserves it at once instead of growing by doubling.
    private var lastSize = 0
    private let live: LiveWriter

    public init(live: @escaping LiveWriter = { _ in }) {
        self.live = live
    }

    /// Takes a refresh's snapshot: it is what scrapes show from now on.
    public func record(_ snapshot: ClusterSnapshot) {
        derived.ingest(snapshot)
        latest = snapshot
        rendered = nil
    }

    /// The exposition in Prometheus's text format 0.0.4.
    public func exposition() -> String {
        let body: String
        if let rendered {
            body = rendered
        } else {
            body = Self.render(latest ?? Self.notReadYet, derived: derived, capacity: lastSize)
            lastSize = body.utf8.count
            rendered = body
        }
        var text = PrometheusText()
        live(&text)
        return body + text.text
    }

    /// Every family of one snapshot (pure: tests and the benchmark call it directly).
    public static func render(_ snapshot: ClusterSnapshot, derived: Metrics, capacity: Int = 0) -> String {
        var out = PrometheusText()
        out.text.reserveCapacity(capacity)
        KafkaExporterFamilies.write(snapshot, into: &out)
        WharfFamilies.write(snapshot, derived: derived, into: &out)
        return out.text
    }

    /// Before the first refresh: no data, and `wharf_source_up` 0 says so.
    static let notReadYet = ClusterSnapshot(timeMs: 0, source: "", sourceProblem: SourceProblem(badge: "CONNECTING", text: "not read yet"))
}
