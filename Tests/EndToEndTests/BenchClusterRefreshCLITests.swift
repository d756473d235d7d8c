import Foundation
import Testing

/// `wharf bench cluster-refresh` on a small cluster: it runs the cluster dashboard's own refresh
/// against an in-process `wharf serve`, and the request counts are the batched ones (one
/// Metadata: ListGroups' answer is reused for the topics; one DescribeLogDirs per leader for the
/// sizes); OffsetFetch is one request per
/// refresh from v8, one per group below it. Time lag, dead-letter verdicts and retention are
/// cached by the driver, so after the first refresh they cost nothing here.
@Suite(.endToEnd) struct BenchClusterRefreshCLITests {
    static func perRefresh(_ args: [String]) async throws -> [String: Double] {
        let r = try await WharfProcess.run(["bench", "cluster-refresh", "--topics", "30", "--groups", "12", "--topics-per-group", "2",
                                      "--refreshes", "2", "--json"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((json["p50Ms"] as? Double ?? 0) > 0)
        var out: [String: Double] = [:]
        for api in json["perRefresh"] as? [[String: Any]] ?? [] { out[api["api"] as! String] = api["requests"] as? Double }
        return out
    }

    @Test func oneRefreshIsSevenRequestsWithBatchedOffsetFetchAndOnePerGroupWithout() async throws {
        #expect(try await Self.perRefresh([]) == ["Metadata": 1, "ListOffsets": 2, "DescribeLogDirs": 1, "ListGroups": 1, "DescribeGroups": 1, "OffsetFetch": 1])
        #expect(try await Self.perRefresh(["--offset-fetch-max-version", "7"])["OffsetFetch"] == 12)
    }
}
