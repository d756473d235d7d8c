import ArgumentParser
import WharfKafkaServer

/// `--metrics-listen HOST:PORT`: serve Prometheus metrics at `http://HOST:PORT/metrics`. Off
/// unless given on `serve`, the dashboard and `demo` (a second port nobody asked for would
/// collide between two dashboards); `wharf exporter` exists to serve them, so it listens on
/// kafka_exporter's 127.0.0.1:9308 by default.
struct MetricsOptions: ParsableArguments {
    @Option(name: .customLong("metrics-listen"), help: ArgumentHelp(
        "Serve Prometheus metrics (kafka_exporter's names, plus wharf_*) at http://HOST:PORT/metrics (kafka_exporter's port is 9308).",
        valueName: "host:port"))
    var metricsListen: MetricsAddress?

    /// Where `wharf exporter` listens without `--metrics-listen`.
    static let exporterDefault = MetricsAddress(host: "127.0.0.1", port: 9308)
}

/// `host:port` of the metrics listener (plain HTTP: no `PROTOCOL://`).
struct MetricsAddress: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        guard !argument.contains("://"), let address = KafkaListenerAddress(argument) else { return nil }
        host = address.host
        port = address.port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// `--metrics-refresh MS`: how often `serve` and `exporter` read their source for the metrics
/// (the dashboard's own `--refresh` does it there). A scrape reads the last refresh, never the source.
struct MetricsRefreshOption: ParsableArguments {
    @Option(name: .customLong("metrics-refresh"), help: ArgumentHelp(
        "How often to read the source for --metrics-listen, in milliseconds; scrapes answer from the last read.", valueName: "ms"))
    var metricsRefresh = 5_000

    func validate() throws {
        guard (100...600_000).contains(metricsRefresh) else { throw ValidationError("--metrics-refresh must be between 100 and 600000 ms") }
    }
}
