import WharfDashboard
import WharfKafkaServer

extension MetricsEndpoint {
    /// Starts the endpoint at the address `--metrics-listen` parsed.
    static func start(_ address: MetricsAddress, kafka: KafkaServer?, storage: Bool,
                      refreshFrom driver: (any DashboardDriver)? = nil, refreshMs: Int = 5_000) async throws -> MetricsEndpoint {
        try await start(host: address.host, port: address.port, kafka: kafka, storage: storage, refreshFrom: driver, refreshMs: refreshMs)
    }
}
