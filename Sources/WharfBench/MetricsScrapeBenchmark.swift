import Foundation
import WharfCore
import WharfRuntime
import WharfSources

/// What one Prometheus scrape costs at scale (issue 18, `wharf bench metrics-scrape`): the
/// refresh that feeds it (timed apart: it runs on the refresh interval, not per scrape), then
/// scrapes over HTTP of a metrics listener, the first of which renders the snapshot and the
/// rest reuse it.
public enum MetricsScrapeBenchmark {
    public struct Result: Sendable {
        public var refreshMillis: Double
        public var firstScrapeMillis: Double
        /// The scrapes after the first.
        public var millis: [Double]
        public var bodyBytes: Int

        /// `wharf bench metrics-scrape`'s three lines: the shape, the refresh, the scrapes.
        public func lines(shape: ClusterShape, overKafka: Bool) -> [String] {
            let sorted = millis.sorted()
            return [
                String(format: "metrics-scrape (%@): %d topics x %d partitions, %d groups x %d topics",
                       overKafka ? "over the Kafka protocol" : "engine", shape.topics, Int(shape.partitions), shape.groups, shape.topicsPerGroup),
                String(format: "  refresh feeding the metrics: %.1f ms (once per --metrics-refresh, not per scrape)", refreshMillis),
                String(format: "  scrape: %d bytes; first (renders the snapshot) %.1f ms; next %d: p50 %.1f ms, max %.1f ms",
                       bodyBytes, firstScrapeMillis, millis.count, percentile(sorted, 0.5), sorted.last ?? 0),
            ]
        }
    }

    /// `overKafka`: read the engine over the Kafka protocol (as `wharf exporter`) instead of
    /// directly (as `wharf serve`).
    public static func measure(_ cluster: BenchCluster, scrapes: Int, overKafka: Bool) async throws -> Result {
        let endpoint = try await MetricsEndpoint.start(host: "127.0.0.1", port: 0, kafka: cluster.server, storage: true)
        do {
            // As serve: the queues (and the event store, when there is one) beside the engine,
            // opened once before the refresh that is measured.
            let stores = overKafka ? nil : try await ServeStores.open(engine: cluster.engine, queuesNeeded: false, metrics: true, outboxURLs: [])
            let refreshStart = monotonicNanos()
            if overKafka {
                await endpoint.feed.record(try await MetricsSources.cluster(cluster.client, label: "bench").read())
            } else {
                await endpoint.feed.record(await MetricsSources.engine(cluster.engine, label: cluster.directory,
                                                                       panels: stores?.panels ?? EnginePanels()).snapshot())
            }
            await stores?.close()
            var result = Result(refreshMillis: Double(monotonicNanos() - refreshStart) / 1e6, firstScrapeMillis: 0, millis: [], bodyBytes: 0)
            for i in 0...scrapes {
                let start = monotonicNanos()
                result.bodyBytes = try await offThePoolScrape(port: endpoint.port)
                let ms = Double(monotonicNanos() - start) / 1e6
                if i == 0 { result.firstScrapeMillis = ms } else { result.millis.append(ms) }
            }
            await endpoint.stop()
            return result
        } catch {
            await endpoint.stop()
            throw error
        }
    }

    /// One `GET /metrics` over a fresh connection, as Prometheus does; returns the body's size.
    /// Blocking socket calls run on a thread of their own, off the cooperative pool.
    static func offThePoolScrape(port: Int) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result { try scrape(port: port) })
            }.start()
        }
    }

    static func scrape(port: Int) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WharfError.io("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { throw WharfError.io("cannot connect to the metrics listener") }
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
        guard text.hasPrefix("HTTP/1.1 200"), let split = text.range(of: "\r\n\r\n") else { throw WharfError.io("scrape failed: \(text.prefix(200))") }
        return text[split.upperBound...].utf8.count
    }
}
