import Foundation
import Testing

/// A KIP-848 consumer group survives a crash of the real binary: confluent-kafka 2.16 with
/// `group.protocol=consumer` consumes half the messages (committing each synchronously), then
/// `wharf serve --fsync always` is killed with SIGKILL and started again on the same port and
/// data directory, and the consumer goes on with the same member id and no rebalance
/// callback: nothing committed is consumed again and nothing is lost (issue 19). The scenario
/// is `clients/kip848_restart.py`; a missing client fails the test (CI installs it).
@Suite(.endToEnd) struct ConsumerGroupRestartTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/kip848_restart.py").path
    }

    @Test func aConsumerProtocolMemberKeepsItsAssignmentAcrossASigkilledBroker() async throws {
        let dir = TempDir()
        let port = try MetricsPrometheusTests.freePort()
        let r = try await WharfProcess.run([Self.script, WharfProcess.binary, dir.path + "/data", "\(port)"],
                                           executable: "/usr/bin/env", prefix: ["python3"], timeout: .seconds(300))
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let facts = Dictionary(r.lines.compactMap { line -> (String, String)? in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }, uniquingKeysWith: { _, last in last })
        #expect(facts["BEFORE"] == "60" && facts["AFTER"] == "120", "\(r.stdout)\n\(r.stderr)")
        #expect(facts["MEMBER_BEFORE"] != nil && facts["MEMBER_AFTER"] == facts["MEMBER_BEFORE"], "\(r.stdout)")
        #expect(facts["CALLBACKS_AFTER_RESTART"] == "none", "the member was fenced and rejoined: \(r.stdout)")
        #expect(facts["DUPLICATES"] == "none", "\(r.stdout)")
        #expect(facts["MISSING"] == "none", "\(r.stdout)")
    }
}
