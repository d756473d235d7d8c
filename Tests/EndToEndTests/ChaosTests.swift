import Foundation
import Testing

/// Chaos with real clients (issue 13): `Tools/chaos/chaos.py` SIGKILLs `wharf serve --fsync
/// always` while idempotent acks=all producers (confluent-kafka, kafka-python), a consumer group
/// and queue CLI sends/settles run, then checks nothing acknowledged was lost or duplicated.
/// The CI variant: 10 kills.
@Suite(.serialized, .endToEnd) struct ChaosTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Tools/chaos/chaos.py").standardizedFileURL.path

    @Test func tenSigkillsLoseNoAcknowledgedRecordAndNoQueueMessage() async throws {
        let result = try await WharfProcess.run([Self.script, "--wharf", WharfProcess.binary, "--kills", "10", "--seed", "20261206",
                                           "--rate", "100", "--json"], executable: "/usr/bin/env", prefix: ["python3"])
        let line = result.lines.last(where: { $0.hasPrefix("{") }) ?? ""
        let summary = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr.suffix(2000))")
        #expect(summary["result"] as? String == "PASS", "\(line)")
        #expect(summary["lost"] as? Int == 0, "\(line)")
        #expect(summary["duplicates"] as? Int == 0, "\(line)")
        #expect((summary["gaps"] as? [Any])?.isEmpty == true, "\(line)")
        #expect(summary["queue_misplaced"] as? Int == 0, "\(line)")
        #expect(summary["broker_starts"] as? Int == 11, "\(line)")
        let acked = summary["acked"] as? [String: Int] ?? [:]
        #expect((acked["confluent-kafka"] ?? 0) > 0 && (acked["kafka-python"] ?? 0) > 0, "\(line)")
    }
}
