import Foundation
import Testing

/// The `--json` of `wharf bench append`, `fetch` and `cluster-refresh` is read by scripts (the
/// figures in BENCHMARKS.md): its keys and the workload echoed in it are a contract, whatever
/// library measures. `metrics-scrape` prints its three lines. `events` reports the event store's.
@Suite(.endToEnd) struct BenchCLITests {
    static func json(_ args: [String]) async throws -> [String: Any] {
        let r = try await WharfProcess.run(["bench"] + args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    static let workload = ["--records", "2500", "--record-size", "10", "--batch", "1000", "--partitions", "2", "--fsync", "never"]

    @Test func appendAndFetchReportTheWorkloadUnderTheSameKeys() async throws {
        for benchmark in ["append", "fetch"] {
            let j = try await Self.json([benchmark] + Self.workload)
            let keys: Set = ["benchmark", "records", "recordSize", "batch", "partitions", "fsync", "seconds", "recordsPerSec", "mbPerSec"]
            #expect(Set(j.keys) == keys.union(benchmark == "append" ? ["diskMbPerSec"] : []))
            #expect(j["benchmark"] as? String == benchmark)
            #expect(j["records"] as? Int == 2500 && j["recordSize"] as? Int == 10 && j["batch"] as? Int == 1000)
            #expect(j["partitions"] as? Int == 2 && j["fsync"] as? String == "never")
            #expect((j["recordsPerSec"] as? Double ?? 0) > 0)
        }
    }

    @Test func clusterRefreshReportsItsShapeUnderTheSameKeys() async throws {
        let j = try await Self.json(["cluster-refresh", "--topics", "4", "--partitions", "2", "--groups", "3", "--topics-per-group", "2",
                                     "--refreshes", "2"])
        #expect(Set(j.keys) == ["benchmark", "topics", "partitions", "groups", "topicsPerGroup", "refreshes", "offsetFetchMaxVersion",
                                "setupSeconds", "perRefresh", "requestsPerRefresh", "responseBytesPerRefresh", "firstRefreshMs",
                                "p50Ms", "p90Ms", "maxMs"])
        #expect(j["benchmark"] as? String == "cluster-refresh")
        #expect(j["topics"] as? Int == 4 && j["partitions"] as? Int == 8 && j["groups"] as? Int == 3 && j["topicsPerGroup"] as? Int == 2)
        #expect(j["refreshes"] as? Int == 2 && j["offsetFetchMaxVersion"] as? Int == 9)
    }

    @Test func metricsScrapePrintsRefreshAndScrapeFigures() async throws {
        let r = try await WharfProcess.run(["bench", "metrics-scrape", "--topics", "3", "--groups", "2", "--topics-per-group", "1", "--scrapes", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first == "metrics-scrape (engine): 3 topics x 3 partitions, 2 groups x 1 topics")
        #expect(lines.dropFirst().first?.hasPrefix("  refresh feeding the metrics: ") == true)
        #expect(lines.last?.hasPrefix("  scrape: ") == true && lines.last?.contains("next 2: p50") == true)
    }

    /// `bench events`: the embedded event store's three figures under fixed keys, with the
    /// workload echoed; every event appended (by three writers here) is read back and every
    /// probe timed.
    @Test func eventsReportsAppendCatchUpAndLatencyUnderFixedKeys() async throws {
        let j = try await Self.json(["events", "--events", "1550", "--batch", "100", "--streams", "7", "--writers", "3", "--fsync", "never",
                                     "--latency-events", "50", "--rate", "500"])
        #expect(Set(j.keys) == ["events", "eventSize", "batch", "writers", "fsync", "appendSeconds", "appendEventsPerSec", "catchUpSeconds",
                                "catchUpEventsPerSec", "latencyEvents", "rate", "latencyP50Micros", "latencyP99Micros", "latencyMaxMicros"])
        #expect(j["events"] as? Int == 1550 && j["batch"] as? Int == 100 && j["writers"] as? Int == 3 && j["fsync"] as? String == "never")
        #expect(j["latencyEvents"] as? Int == 50 && j["rate"] as? Int == 500)
        #expect((j["appendEventsPerSec"] as? Double ?? 0) > 0 && (j["catchUpEventsPerSec"] as? Double ?? 0) > 0)
        let p50 = j["latencyP50Micros"] as? Double ?? 0, p99 = j["latencyP99Micros"] as? Double ?? 0, max = j["latencyMaxMicros"] as? Double ?? 0
        #expect(p50 > 0 && p50 <= p99 && p99 <= max)
        let bad = try await WharfProcess.run(["bench", "events", "--event-size", "4"])
        #expect(bad.status != 0 && bad.stderr.contains("--event-size at least 8"))
    }

    @Test func invalidShapeIsRefusedWithTheSameMessage() async throws {
        let r = try await WharfProcess.run(["bench", "metrics-scrape", "--topics", "2", "--topics-per-group", "3"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--topics, --partitions, --topics-per-group (at most --topics) and --scrapes must be positive"))
    }
}
