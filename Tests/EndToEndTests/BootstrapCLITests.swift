import Foundation
import Testing

/// Issue #7: the read-only CLI commands with `--bootstrap` talk only the Kafka protocol (to a real
/// `wharf serve`) and print what the embedded CLI prints for the same data directory.
@Suite(.serialized, .endToEnd) struct BootstrapCLITests {
    /// The commands compared, each run once over the wire and once on the data directory.
    static let commands: [[String]] = [
        ["topic", "list"], ["topic", "list", "--json"], ["topic", "list", "--internal", "--json"],
        ["topic", "describe", "orders"], ["topic", "describe", "orders", "--json"],
        ["group", "list"], ["group", "list", "--json"],
        ["group", "describe", "billing"], ["group", "describe", "billing", "--json"],
        ["group", "describe", "audit", "--json"],
    ]

    @Test func bootstrapOutputEqualsTheEmbeddedCLIOnTheSameData() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        // Data with every case the reports distinguish: lag, no commit on a partition, a purged
        // log start, an empty topic, a group on two topics.
        var r = try await WharfProcess.run(["topic", "create", "orders", "--partitions", "3"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["topic", "create", "quiet", "--partitions", "1", "--retention-ms", "3600000", "--retention-bytes", "1048576"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["topic", "create", "audit-log", "--partitions", "2"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["produce", "orders", "--key-separator", ":"] + d,
                                 stdin: (0..<90).map { "k\($0 % 7):order-\($0)" }.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["produce", "audit-log"] + d, stdin: (0..<10).map { "a\($0)" }.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["records", "delete", "orders", "--partition", "1", "--before", "2"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["consume", "orders", "--group", "billing", "--max", "50"] + d)
        #expect(r.status == 0 && r.lines.count == 50, "\(r.stderr)")
        r = try await WharfProcess.run(["consume", "audit-log", "--group", "audit", "--max", "3"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["consume", "orders", "--group", "audit", "--max", "5"] + d)
        #expect(r.status == 0, "\(r.stderr)")

        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        var remote: [Int: WharfProcess.Result] = [:]
        for (i, c) in Self.commands.enumerated() {
            remote[i] = try await WharfProcess.run(c + ["--bootstrap", server.bootstrap])
        }
        #expect(server.stop() == 0)

        for (i, c) in Self.commands.enumerated() {
            let local = try await WharfProcess.run(c + d)
            let wire = remote[i]!
            #expect(local.status == 0 && wire.status == 0, "\(c): \(local.stderr) | \(wire.stderr)")
            #expect(!local.stdout.isEmpty)
            if c.contains("--json") {
                let a = try Self.comparableJSON(local.stdout), b = try Self.comparableJSON(wire.stdout)
                #expect(a == b, "\(c)\nembedded: \(local.stdout)\nbootstrap: \(wire.stdout)")
            } else {
                #expect(Self.comparableTable(c, local.stdout) == Self.comparableTable(c, wire.stdout),
                        "\(c)\nembedded:\n\(local.stdout)\nbootstrap:\n\(wire.stdout)")
            }
        }
        // Sizes come over the wire (DescribeLogDirs) and equal the embedded ones, byte for byte;
        // the time lag of a lagging partition is measured.
        let describe = try JSONSerialization.jsonObject(with: Data(remote[8]!.stdout.utf8)) as! [String: Any]
        let lagging = (describe["partitions"] as! [[String: Any]]).filter { ($0["lag"] as! Int) > 0 }
        #expect(!lagging.isEmpty && lagging.allSatisfy { ($0["timeLagMs"] as! Int) > 0 }, "\(remote[8]!.stdout)")
        #expect(describe["totalLag"] as? Int == 38)  // 90 produced, 2 purged, 50 read
        let sizes = try JSONSerialization.jsonObject(with: Data(remote[1]!.stdout.utf8)) as! [[String: Any]]
        let orderSizes = (sizes.first { $0["name"] as? String == "orders" }?["partitions"] as? [[String: Any]] ?? []).map { $0["sizeBytes"] as? Int ?? -1 }
        #expect(orderSizes.count == 3 && orderSizes.allSatisfy { $0 > 0 }, "\(remote[1]!.stdout)")
    }

    /// JSON with the fields only one side can know removed: segment counts (no Kafka API for
    /// them) and the time lag (it depends on when each command ran).
    static func comparableJSON(_ text: String) throws -> NSObject {
        func strip(_ v: Any) -> Any {
            if let a = v as? [Any] { return a.map(strip) }
            if let o = v as? [String: Any] {
                return o.filter { !["segments", "timeLagMs"].contains($0.key) }.mapValues(strip)
            }
            return v
        }
        return strip(try JSONSerialization.jsonObject(with: Data(text.utf8))) as! NSObject
    }

    /// Tables with the same columns blanked: SEGMENTS in `topic describe`, TIME LAG in `group describe`.
    static func comparableTable(_ command: [String], _ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            var s = String(line)
            if command.starts(with: ["topic", "describe"]) {
                // Partition rows end with SEGMENTS.
                s = s.replacing(/^(\s*\d+\s+\d+\s+\d+\s+\d+\s+.+?)\s+(-|\d+)$/) { "\($0.1) _" }
            } else if command.starts(with: ["group", "describe"]) {
                s = s.replacing(/^(\S+\s+\d+\s+\S+\s+\d+\s+\d+)\s+\S+\s+/) { "\($0.1) _ " }
            }
            return s.replacing(/\s+/, with: " ")
        }
    }

    /// Reset over the wire: the dry run equals the embedded plan; a group with a live member (a
    /// real `kcat -G` consumer) is refused with one clear line; an empty group is reset through
    /// OffsetCommit and the embedded engine then sees the new offsets.
    @Test func remoteResetRefusesALiveGroupAndCommitsForAnEmptyOne() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["topic", "create", "events", "--partitions", "2"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["produce", "events"] + d, stdin: (0..<100).map { "e\($0)" }.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["consume", "events", "--group", "billing", "--max", "60"] + d)
        #expect(r.status == 0 && r.lines.count == 60, "\(r.stderr)")
        let preview = ["group", "reset", "billing", "--topic", "events", "--shift-by", "-5", "--json"]

        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let b = ["--bootstrap", server.bootstrap]
        let remotePreview = try await WharfProcess.run(preview + b)
        #expect(remotePreview.status == 0, "\(remotePreview.stderr)")

        let member = try KafkaClientGroupTests.KcatMember(server, group: "live", topic: "events", name: "live")
        defer { member.stop() }
        try await KafkaClientGroupTests.waitUntil("the kcat member to be assigned both partitions") { member.assigned.count == 2 }
        r = try await WharfProcess.run(["group", "reset", "live", "--topic", "events", "--to-earliest", "--execute"] + b)
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 && lines[0].contains("group live has 1 live member") && lines[0].contains("stop its consumers first"), "\(r.stderr)")
        member.stop()

        r = try await WharfProcess.run(["group", "reset", "billing", "--topic", "events", "--to-earliest", "--execute", "--json"] + b)
        #expect(r.status == 0, "\(r.stderr)")
        let reset = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(reset["executed"] as? Bool == true && reset["fencedLiveMembers"] as? Bool == false, "\(r.stdout)")
        r = try await WharfProcess.run(["group", "describe", "billing", "--json"] + b)
        let after = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(after["totalLag"] as? Int == 100, "\(r.stdout)")
        #expect(server.stop() == 0)

        // The embedded engine on the same data sees the reset, and the dry run it plans for the
        // state before the reset was the one printed over the wire.
        r = try await WharfProcess.run(["group", "describe", "billing", "--json"] + d)
        let local = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect((local["partitions"] as! [[String: Any]]).allSatisfy { $0["committedOffset"] as? Int == 0 }, "\(r.stdout)")
        let remotePlan = try JSONSerialization.jsonObject(with: Data(remotePreview.stdout.utf8)) as! [String: Any]
        let rows = remotePlan["partitions"] as! [[String: Any]]
        #expect(rows.count == 2 && rows.reduce(0) { $0 + ($1["recordsToReread"] as! Int) } == 10, "\(remotePreview.stdout)")
        #expect(remotePlan["executed"] as? Bool == false)
    }

    @Test func unreachableBootstrapIsOneClearLineAndAFailure() async throws {
        let r = try await WharfProcess.run(["topic", "list", "--bootstrap", "127.0.0.1:1"])
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 && lines[0].contains("cannot reach 127.0.0.1:1"), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && r.stdout.isEmpty)

        let g = try await WharfProcess.run(["group", "describe", "billing", "--bootstrap", "127.0.0.1:1"])
        #expect(g.status != 0 && g.stderr.contains("127.0.0.1:1"), "\(g.stderr)")
    }

    @Test func bootstrapWithDataIsAUsageError() async throws {
        let dir = TempDir()
        let r = try await WharfProcess.run(["group", "list", "--bootstrap", "127.0.0.1:9092", "--data", dir.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("either --data") && r.stderr.contains("not both"), "\(r.stderr)")
        let bad = try await WharfProcess.run(["topic", "list", "--bootstrap", "nohost"])
        #expect(bad.status != 0 && bad.stderr.contains("HOST:PORT"), "\(bad.stderr)")
    }
}
