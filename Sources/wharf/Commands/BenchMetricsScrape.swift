import ArgumentParser
import Foundation
import Logging
import WharfCore
import WharfEngine
import WharfKafkaClient
import WharfKafkaServer
import WharfMetrics
import WharfSources

extension BenchCommand {
    /// What one Prometheus scrape costs at scale (issue 18): the refresh that feeds it (timed
    /// apart: it runs on the refresh interval, not per scrape), then scrapes over HTTP of a
    /// metrics listener, the first of which renders the snapshot and the rest reuse it.
    struct MetricsScrape: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics-scrape",
            abstract: "Prometheus scrape of --metrics-listen: time and bytes per scrape over HTTP, on a data directory or over --bootstrap of an in-process wharf serve.")
        @Option(help: "Topics to create.") var topics: Int = 2000
        @Option(help: "Partitions per topic.") var partitions: Int32 = 3
        @Option(help: "Consumer groups with committed offsets.") var groups: Int = 500
        @Option(name: .customLong("topics-per-group"), help: "Topics each group committed to (every partition).") var topicsPerGroup: Int = 4
        @Option(help: "Scrapes to measure after the first (which renders the snapshot).") var scrapes: Int = 20
        @Flag(help: "Read the engine over the Kafka protocol (as `wharf exporter`) instead of directly (as `wharf serve`).") var cluster = false

        func validate() throws {
            guard topics > 0, partitions > 0, groups >= 0, topicsPerGroup > 0, topicsPerGroup <= topics, scrapes > 0 else {
                throw ValidationError("--topics, --partitions, --topics-per-group (at most --topics) and --scrapes must be positive")
            }
        }

        func run() async throws {
            let dir = NSTemporaryDirectory() + "wharf-bench-metrics-\(getpid())"
            try? FileManager.default.removeItem(atPath: dir)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var logger = Logger(label: "wharf.bench")
            logger.logLevel = .error
            let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: logger)
            defer { try? engine.close() }
            try await BenchClusterRefresh.populate(engine, topics: topics, partitions: partitions, groups: groups, topicsPerGroup: topicsPerGroup)
            var config = KafkaServer.Configuration()
            config.port = 0
            config.autoCreateTopics = false
            let server = KafkaServer(engine: engine, configuration: config, logger: logger)
            let port = try await server.start()
            let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
            let endpoint = try await MetricsEndpoint.start(MetricsAddress(host: "127.0.0.1", port: 0), kafka: server, storage: true)
            var refreshMs = 0.0
            var millis: [Double] = []
            var bytes = 0
            var firstMs = 0.0
            do {
                // As serve: the queues (and the event store, when there is one) beside the engine,
                // opened once before the refresh that is measured.
                var stores: ServeStores?
                if !cluster { stores = try await ServeStores.open(engine: engine, queuesNeeded: false, metrics: true, outboxURLs: []) }
                let refreshStart = monotonicNanos()
                if cluster {
                    await endpoint.feed.record(try await MetricsSources.cluster(client, label: "bench").read())
                } else {
                    await endpoint.feed.record(await MetricsSources.engine(engine, label: dir, panels: stores?.panels ?? EnginePanels()).snapshot())
                }
                refreshMs = Double(monotonicNanos() - refreshStart) / 1e6
                await stores?.close()
                for i in 0...scrapes {
                    let start = monotonicNanos()
                    let body = try await offThePoolScrape(port: endpoint.port)
                    let ms = Double(monotonicNanos() - start) / 1e6
                    if i == 0 { firstMs = ms } else { millis.append(ms) }
                    bytes = body
                }
            } catch {
                await endpoint.stop()
                await client.close()
                await server.stop()
                throw error
            }
            await endpoint.stop()
            await client.close()
            await server.stop()
            let sorted = millis.sorted()
            print(String(format: "metrics-scrape (%@): %d topics x %d partitions, %d groups x %d topics",
                         cluster ? "over the Kafka protocol" : "engine", topics, Int(partitions), groups, topicsPerGroup))
            print(String(format: "  refresh feeding the metrics: %.1f ms (once per --metrics-refresh, not per scrape)", refreshMs))
            print(String(format: "  scrape: %d bytes; first (renders the snapshot) %.1f ms; next %d: p50 %.1f ms, max %.1f ms",
                         bytes, firstMs, scrapes, BenchClusterRefresh.percentile(sorted, 0.5), sorted.last ?? 0))
        }

        /// One `GET /metrics` over a fresh connection, as Prometheus does; returns the body's size.
        private func offThePoolScrape(port: Int) async throws -> Int {
            try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result { try Self.scrape(port: port) })
                }.start()
            }
        }

        private static func scrape(port: Int) throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ValidationError("socket failed") }
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard ok == 0 else { throw ValidationError("cannot connect to the metrics listener") }
            let request = Array("GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                received += buffer[..<n]
            }
            let text = String(decoding: received, as: UTF8.self)
            guard text.hasPrefix("HTTP/1.1 200"), let split = text.range(of: "\r\n\r\n") else { throw ValidationError("scrape failed: \(text.prefix(200))") }
            return text[split.upperBound...].utf8.count
        }
    }
}
