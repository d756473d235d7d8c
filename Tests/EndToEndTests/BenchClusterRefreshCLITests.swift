import Foundation
import Testing

/// `wharf bench cluster-refresh` on a small cluster: it runs against its own in-process
/// `wharf serve` (and checks internally that the refresh's reused-metadata lags equal a plain
/// `lags`), and the request counts are the batched ones: OffsetFetch is one request per
/// refresh from v8, one per group below it.
@Suite struct BenchClusterRefreshCLITests {
    static func perRefresh(_ args: [String]) throws -> [String: Double] {
        let r = try WharfProcess.run(["bench", "cluster-refresh", "--topics", "30", "--groups", "12", "--topics-per-group", "2",
                                      "--refreshes", "2", "--json"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((json["p50Ms"] as? Double ?? 0) > 0)
        var out: [String: Double] = [:]
        for api in json["perRefresh"] as? [[String: Any]] ?? [] { out[api["api"] as! String] = api["requests"] as? Double }
        return out
    }

    @Test func oneRefreshIsSixRequestsWithBatchedOffsetFetchAndOnePerGroupWithout() throws {
        #expect(try Self.perRefresh([]) == ["Metadata": 1, "ListOffsets": 2, "ListGroups": 1, "DescribeGroups": 1, "OffsetFetch": 1])
        #expect(try Self.perRefresh(["--offset-fetch-max-version", "7"])["OffsetFetch"] == 12)
    }
}
