/// What the terminal loop needs from the outside world: snapshots on every tick, and a way to
/// run effects. The glue implements it over the embedded engine (or a Kafka client);
/// `SyntheticDriver` implements it over generated data for previews and tests.
///
/// `quit` and `setRefresh` are handled by the loop itself and never reach `perform`.
public protocol DashboardDriver: Sendable {
    /// A fresh snapshot; called once per refresh interval unless paused.
    func snapshot() async -> ClusterSnapshot
    /// Runs one effect and returns the action that reports its result (nil: nothing to report).
    func perform(_ effect: Effect) async -> Action?
    /// What the source supports; the dashboard hides the rest.
    var capabilities: SourceCapabilities { get }
}
