import WharfCore
import WharfEngine
import WharfKafkaServer

/// The dashboard's own Kafka listener. A port that is taken does not stop the dashboard: the
/// header says why there is no listener instead.
struct DashboardKafkaListener: Sendable {
    let server: KafkaServer?
    let status: @Sendable () -> String

    static func start(engine: Engine, settings: DashboardSettings) async -> DashboardKafkaListener {
        guard let config = settings.kafkaListener else { return DashboardKafkaListener(server: nil, status: { "off" }) }
        let server = KafkaServer(engine: engine, configuration: config)
        do {
            try await server.start()
            let address = settings.describeListeners(server.boundListeners)
            return DashboardKafkaListener(server: server, status: {
                let n = server.connectionCount
                return "\(address) · \(CountText.of(n, "client"))"
            })
        } catch {
            await server.stop()
            let message = "\(error)"
            return DashboardKafkaListener(server: nil, status: { "off: \(message)" })
        }
    }
}
