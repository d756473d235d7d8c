import Foundation
import KafkaProtocol

extension ClusterRefreshBenchmark {
    /// `wharf bench cluster-refresh`'s figures: `--json` prints it as is (a contract
    /// BENCHMARKS.md and scripts rely on), the text form is `lines`.
    public struct Report: Encodable, Sendable {
        public struct API: Encodable, Sendable {
            public let api: String
            public let requests: Double
            public let responseBytes: Double
        }

        public var benchmark = "cluster-refresh"
        public let topics: Int
        public let partitions: Int
        public let groups: Int
        public let topicsPerGroup: Int
        public let refreshes: Int
        public let offsetFetchMaxVersion: Int16
        public let setupSeconds: Double
        public let perRefresh: [API]
        public let requestsPerRefresh: Double
        public let responseBytesPerRefresh: Double
        public let firstRefreshMs: Double
        public let p50Ms: Double
        public let p90Ms: Double
        public let maxMs: Double
        /// For the text line only (the JSON has the total, `partitions`).
        let partitionsPerTopic: Int32

        enum CodingKeys: String, CodingKey {
            case benchmark, topics, partitions, groups, topicsPerGroup, refreshes, offsetFetchMaxVersion, setupSeconds, perRefresh,
                 requestsPerRefresh, responseBytesPerRefresh, firstRefreshMs, p50Ms, p90Ms, maxMs
        }

        public init(_ r: Result, shape: ClusterShape, refreshes: Int, offsetFetchMaxVersion: Int16, setupSeconds: Double) {
            let sorted = r.millis.sorted()
            let apis = r.requests.keys.sorted { $0.rawValue < $1.rawValue }
            topics = shape.topics
            partitions = shape.topics * Int(shape.partitions)
            partitionsPerTopic = shape.partitions
            groups = shape.groups
            topicsPerGroup = shape.topicsPerGroup
            self.refreshes = refreshes
            self.offsetFetchMaxVersion = offsetFetchMaxVersion
            self.setupSeconds = setupSeconds
            perRefresh = apis.map { API(api: $0.displayName, requests: r.requests[$0] ?? 0, responseBytes: r.bytes[$0] ?? 0) }
            requestsPerRefresh = r.requests.values.reduce(0, +)
            responseBytesPerRefresh = r.bytes.values.reduce(0, +)
            firstRefreshMs = r.firstMillis
            p50Ms = percentile(sorted, 0.5)
            p90Ms = percentile(sorted, 0.9)
            maxMs = sorted.last ?? 0
        }

        /// The figures for people: the shape, requests and bytes per API, then the times.
        public var lines: [String] {
            func line(_ name: String, _ requests: Double, _ bytes: Double) -> String {
                "  " + name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "%8.1f requests  %10.0f response bytes per refresh", requests, bytes)
            }
            return [String(format: "cluster-refresh: %d topics x %d partitions, %d groups x %d topics, OffsetFetch up to v%d, %d refreshes (setup %.1f s)",
                           topics, Int(partitionsPerTopic), groups, topicsPerGroup, Int(offsetFetchMaxVersion), refreshes, setupSeconds)]
                + perRefresh.map { line($0.api, $0.requests, $0.responseBytes) }
                + [line("total", requestsPerRefresh, responseBytesPerRefresh),
                   String(format: "  time per refresh: p50 %.1f ms, p90 %.1f ms, max %.1f ms (the first, cold: %.1f ms)", p50Ms, p90Ms, maxMs, firstRefreshMs)]
        }
    }
}
