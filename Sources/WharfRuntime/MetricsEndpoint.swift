import WharfCore
import WharfDashboard
import WharfKafkaServer
import WharfMetrics
import WharfMetricsServer
import WharfStorage

/// A command's metrics listener and the feed it answers from. The command records snapshots
/// into `feed` (through its dashboard, or `refresh`), and stops the endpoint before it exits.
public struct MetricsEndpoint: Sendable {
    public let server: MetricsHTTPServer
    public let feed: MetricsFeed
    public let port: Int
    private let refresher: Task<Void, Never>?

    /// A listener besides Kafka (AMQP, EventStoreDB gRPC): its label and its open connections.
    public typealias ListenerConnections = (listener: String, count: @Sendable () -> Int)

    /// Starts listening at `host`:`port` (0: any free port); `kafka` adds its connections and
    /// request latencies, `listeners` the other listeners' connections, and `storage` this
    /// process's append and fsync latencies. With `refreshFrom`, a snapshot is taken from that
    /// driver every `refreshMs` (where no dashboard takes them).
    public static func start(host: String, port: Int, kafka: KafkaServer?, listeners: [ListenerConnections] = [], storage: Bool,
                             refreshFrom driver: (any DashboardDriver)? = nil, refreshMs: Int = 5_000) async throws -> MetricsEndpoint {
        let feed = MetricsFeed(live: liveFamilies(kafka: kafka, listeners: listeners, storage: storage))
        let server = MetricsHTTPServer(host: host, port: port) { await feed.exposition() }
        let boundPort = try await server.start()
        let refresher = driver.map { driver in Task { await MetricsRefresher.run(driver: driver, feed: feed, intervalMs: refreshMs) } }
        return MetricsEndpoint(server: server, feed: feed, port: boundPort, refresher: refresher)
    }

    private init(server: MetricsHTTPServer, feed: MetricsFeed, port: Int, refresher: Task<Void, Never>?) {
        self.server = server
        self.feed = feed
        self.port = port
        self.refresher = refresher
    }

    public func stop() async {
        refresher?.cancel()
        _ = await refresher?.value
        await server.stop()
    }

    /// The families read at every scrape: counters that move between refreshes.
    public static func liveFamilies(kafka: KafkaServer?, listeners: [ListenerConnections] = [], storage: Bool) -> MetricsFeed.LiveWriter {
        { out in
            var connections: [ListenerConnections] = []
            if let kafka { connections.append(("kafka", { kafka.connectionCount })) }
            connections += listeners
            if !connections.isEmpty {
                out.family("wharf_listener_connections", .gauge, help: "Client connections open on a listener now.")
                for (listener, count) in connections { out.sample("wharf_listener_connections", [("listener", listener)], Int64(count())) }
            }
            if let kafka {
                out.family("wharf_kafka_request_duration_seconds", .histogram,
                           help: "Time from starting a Kafka request to its answer being final, per API (a Produce under --fsync always includes its fdatasync).")
                for (api, histogram) in kafka.requestLatencies.histograms {
                    out.histogram("wharf_kafka_request_duration_seconds", [("api", api)], histogram.snapshot)
                }
                out.family("wharf_kafka_request_stage_duration_seconds", .histogram,
                           help: "Produce and Fetch by stage: queued (socket to worker), started (run up to written), final (until durable), handover (to the event loop), flushed (socket write).")
                for (api, stage, histogram) in kafka.requestStageLatencies.histograms {
                    out.histogram("wharf_kafka_request_stage_duration_seconds", [("api", api), ("stage", stage.rawValue)], histogram.snapshot)
                }
            }
            if storage {
                out.family("wharf_log_append_duration_seconds", .histogram,
                           help: "Time to validate and write one append to a partition log (without waiting for an fsync=always group commit).")
                out.histogram("wharf_log_append_duration_seconds", [], StorageLatencies.append.snapshot)
                out.family("wharf_log_fsync_duration_seconds", .histogram, help: "Time of one fdatasync of a partition log's segment.")
                out.histogram("wharf_log_fsync_duration_seconds", [], StorageLatencies.fsync.snapshot)
                out.family("wharf_log_reader_wakeup_duration_seconds", .histogram,
                           help: "Time from an append signalling a parked long-poll reader to that reader running again.")
                out.histogram("wharf_log_reader_wakeup_duration_seconds", [], StorageLatencies.readerWakeup.snapshot)
            }
        }
    }
}
