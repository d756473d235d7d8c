import WharfKafkaClient

/// `wharf exporter`: kafka_exporter and Burrow's lag evaluation in one. The metrics
/// `--metrics-listen` serves for a data directory, for a Kafka-protocol cluster read through its
/// `KafkaClusterSource` every `refreshMs` (one bounded batch of requests, as the dashboard's
/// refresh), each scrape answered from the last read, until a stop signal.
public enum ClusterExporter {
    /// `started` gets the port bound (the one asked for, or the system's choice for port 0).
    public static func run(_ configuration: KafkaClient.Configuration, host: String, port: Int, refreshMs: Int,
                           until stop: StopSignals, started: (_ port: Int) -> Void) async throws {
        let client = KafkaClient(configuration: configuration.refreshing(clientId: "wharf-exporter"))
        let source = MetricsSources.cluster(client, label: "kafka " + SourceLocation.cluster(configuration).description)
        let endpoint: MetricsEndpoint
        do {
            endpoint = try await MetricsEndpoint.start(host: host, port: port, kafka: nil, storage: false, refreshFrom: source.driver,
                                                       refreshMs: refreshMs)
        } catch {
            await source.close()
            throw error
        }
        started(endpoint.port)
        _ = await stop.wait()
        await endpoint.stop()
        await source.close()
    }
}
