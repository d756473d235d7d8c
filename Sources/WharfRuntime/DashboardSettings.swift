import WharfKafkaServer

/// What the command line decided for a dashboard run (`wharf`, `wharf --bootstrap`, `wharf demo`):
/// the runners take these values and never see the options they were parsed from.
public struct DashboardSettings: Sendable {
    public var readOnly: Bool
    public var refreshMs: Int
    /// `--metrics-listen`: where to serve Prometheus metrics, if asked.
    public var metricsListen: (host: String, port: Int)?
    /// The dashboard's own listeners over the engine (Kafka, AMQP, gRPC); none on a cluster.
    public var listeners: ListenerPlan

    public init(readOnly: Bool, refreshMs: Int, metricsListen: (host: String, port: Int)?, listeners: ListenerPlan) {
        self.readOnly = readOnly
        self.refreshMs = refreshMs
        self.metricsListen = metricsListen
        self.listeners = listeners
    }

    /// A dashboard whose own listeners are `ownListeners` (nil on a cluster: it has none). Under
    /// `readOnly` the rule holds on the wire too: the Kafka listener refuses writes (clients get
    /// Kafka's authorization errors), and the AMQP and gRPC listeners, whose clients write, do not
    /// start.
    public init(readOnly: Bool, refreshMs: Int, metricsListen: (host: String, port: Int)?, ownListeners: ListenerPlan?) {
        var plan = ownListeners ?? .none
        plan.kafka?.readOnly = readOnly
        if readOnly { (plan.amqp, plan.esdb) = (nil, nil) }
        self.init(readOnly: readOnly, refreshMs: refreshMs, metricsListen: metricsListen, listeners: plan)
    }

    /// Starts the metrics endpoint when `--metrics-listen` asked for one.
    func startMetrics(kafka: KafkaServer?, storage: Bool) async throws -> MetricsEndpoint? {
        guard let address = metricsListen else { return nil }
        return try await MetricsEndpoint.start(host: address.host, port: address.port, kafka: kafka, storage: storage)
    }
}
