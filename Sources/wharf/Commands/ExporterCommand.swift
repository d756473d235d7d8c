import ArgumentParser
import Foundation

/// `wharf exporter --bootstrap HOST:PORT`: kafka_exporter and Burrow's lag evaluation in one:
/// the same metrics `--metrics-listen` serves for a data directory, for a remote Kafka-protocol
/// cluster, read through the cluster source the dashboard uses with `--bootstrap`.
struct ExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exporter",
        abstract: "Serve Prometheus metrics for a Kafka cluster (kafka_exporter's names, Burrow-style lag status).",
        discussion: """
            Reads the cluster every --metrics-refresh (one bounded batch of requests, as the dashboard's \
            refresh) and answers each scrape from the last read. Listens on 127.0.0.1:9308 \
            (kafka_exporter's port) unless --metrics-listen says otherwise. Runs until SIGINT or SIGTERM. \
            While the cluster cannot be read, the last values stay and wharf_source_up is 0.
            """)

    @OptionGroup var cluster: BootstrapOption
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions
    @OptionGroup(title: "Metrics") var refresh: MetricsRefreshOption

    func validate() throws {
        guard cluster.bootstrap != nil else { throw ValidationError("exporter needs --bootstrap HOST:PORT (the cluster to export)") }
        try cluster.validateConnection()
    }

    func run() async throws {
        let stop = StopSignals()
        guard let configuration = try cluster.clientConfiguration() else { return }
        let address = metrics.metricsListen ?? MetricsOptions.exporterDefault
        try await ClusterExporter.run(configuration, host: address.host, port: address.port, refreshMs: refresh.metricsRefresh, until: stop) { port in
            print("wharf exporter serving metrics on http://\(MetricsAddress(host: address.host, port: port))/metrics for \(cluster.bootstrap ?? "")")
            fflush(nil)
        }
        print("wharf exporter stopped")
    }
}
