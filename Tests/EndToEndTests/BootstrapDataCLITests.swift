import Foundation
import Testing

/// Issue #7: `produce` and `consume` with `--bootstrap` talk only the Kafka protocol (to a real
/// `wharf serve`) and behave as the embedded commands do on the same data directory.
@Suite(.serialized, .endToEnd) struct BootstrapDataCLITests {
    static let lines = (0..<40).map { $0 % 4 == 3 ? "unkeyed-\($0)" : "k\($0 % 9):v\($0)" }.joined(separator: "\n") + "\n"

    /// `consume --format json` lines without the fields that differ by when or where a record was
    /// written (timestamp, topic).
    static func records(_ text: String) throws -> [NSDictionary] {
        try text.split(separator: "\n").map {
            let o = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            return o.filter { !["timestamp", "topic"].contains($0.key) } as NSDictionary
        }
    }

    @Test func produceAndConsumeOverTheWireEqualTheEmbeddedCommands() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        for t in ["orders", "wired"] {
            let r = try await WharfProcess.run(["topic", "create", t, "--partitions", "3"] + d)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let produce = ["--key-separator", ":", "--header", "source=cli", "--echo-offsets"]
        let local = try await WharfProcess.run(["produce", "orders"] + produce + d, stdin: Self.lines)
        #expect(local.status == 0, "\(local.stderr)")
        let localUnknown = try await WharfProcess.run(["produce", "nosuch"] + d, stdin: "x\n")

        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let b = ["--bootstrap", server.bootstrap]
        // The same lines over the wire: the same partitions and offsets (murmur2 for keys, the
        // engine's round-robin for the rest), the same output.
        let wire = try await WharfProcess.run(["produce", "wired"] + produce + b, stdin: Self.lines)
        #expect(wire.status == 0, "\(wire.stderr)")
        #expect(wire.stdout == local.stdout.replacingOccurrences(of: "to orders", with: "to wired"), "\(wire.stdout)\nvs\n\(local.stdout)")
        #expect(wire.stdout.contains("appended 40 records to wired"))
        var r = try await WharfProcess.run(["produce", "wired", "--partition", "2", "--json"] + b, stdin: "p2\n")
        #expect(r.status == 0 && r.stdout.contains(#""records":1"#) && r.stdout.contains(#""topic":"wired""#), "\(r.stdout)\(r.stderr)")
        r = try await WharfProcess.run(["produce", "orders", "--partition", "2"] + b, stdin: "p2\n")
        #expect(r.status == 0, "\(r.stderr)")
        // Unknown topic: the embedded command's one line.
        let wireUnknown = try await WharfProcess.run(["produce", "nosuch"] + b, stdin: "x\n")
        #expect(wireUnknown.status != 0 && wireUnknown.stderr == localUnknown.stderr, "\(wireUnknown.stderr) vs \(localUnknown.stderr)")
        #expect(wireUnknown.stderr.split(separator: "\n").count == 1 && wireUnknown.stderr.contains("unknown topic"))
        r = try await WharfProcess.run(["produce", "fresh", "--create"] + b, stdin: "a\nb\nc\n")
        #expect(r.status == 0 && r.stdout.contains("appended 3 records to fresh"), "\(r.stdout)\(r.stderr)")

        let consumes: [[String]] = [
            ["consume", "orders", "--format", "json"],
            ["consume", "orders", "--partition", "1", "--from", "2", "--max", "3", "--print-key"],
            ["consume", "orders", "--max", "7"],
            ["consume", "orders", "--from", "latest"],
            ["consume", "orders", "--from", "2000-01-01T00:00:00Z", "--format", "json"],
            ["consume", "orders", "--from", "2999-01-01T00:00:00Z"],
            ["consume", "orders", "--partition", "0", "--from", "999"],
            ["consume", "nosuch"],
        ]
        var remote: [[String]: WharfProcess.Result] = [:]
        for c in consumes { remote[c] = try await WharfProcess.run(c + b) }
        let wiredJSON = try await WharfProcess.run(["consume", "wired", "--format", "json"] + b)
        #expect(server.stop() == 0)

        for c in consumes {
            let l = try await WharfProcess.run(c + d), w = remote[c]!
            #expect(l.status == w.status && l.stderr == w.stderr, "\(c): \(l.stderr) | \(w.stderr)")
            #expect(l.stdout == w.stdout, "\(c)\nembedded:\n\(l.stdout)\nbootstrap:\n\(w.stdout)")
        }
        #expect(remote[consumes[0]]!.lines.count == 41)
        #expect(remote[consumes[2]]!.lines.count == 7)
        #expect(remote[consumes[6]]!.status != 0)
        // What the wire produced is what the engine produced, record for record .
        let embedded = try await Self.records(WharfProcess.run(["consume", "orders", "--format", "json"] + d).stdout)
        #expect(try Self.records(wiredJSON.stdout) == embedded)
        r = try await WharfProcess.run(["topic", "describe", "fresh", "--json"] + d)
        let fresh = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        // --create over the wire asks for the broker's default partition count: `wharf serve
        // --default-partitions`, 1 as Kafka's num.partitions (the embedded engine's default is its own 3).
        #expect((fresh["partitions"] as! [[String: Any]]).map { $0["logEndOffset"] as? Int } == [3], "\(r.stdout)")
    }

    /// `consume --group --bootstrap` is a real member (JoinGroup, SyncGroup, OffsetCommit with
    /// its generation, LeaveGroup): it reads what the embedded member reads, commits it, and
    /// leaves the group Empty, so the next run (over the wire or embedded) goes on from there.
    @Test func groupConsumeOverTheWireCommitsLikeTheEmbeddedMember() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["topic", "create", "orders", "--partitions", "3"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["produce", "orders", "--key-separator", ":"] + d, stdin: Self.lines)
        #expect(r.status == 0, "\(r.stderr)")
        let embeddedFirst = try await WharfProcess.run(["consume", "orders", "--group", "reference", "--max", "25"] + d)
        #expect(embeddedFirst.status == 0 && embeddedFirst.lines.count == 25, "\(embeddedFirst.stderr)")

        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let b = ["--bootstrap", server.bootstrap]
        let first = try await WharfProcess.run(["consume", "orders", "--group", "billing", "--max", "25"] + b)
        #expect(first.status == 0 && first.stdout == embeddedFirst.stdout, "\(first.stdout)\(first.stderr)\nvs\n\(embeddedFirst.stdout)")
        r = try await WharfProcess.run(["group", "describe", "billing", "--json"] + b)
        let described = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(described["totalLag"] as? Int == 15 && described["state"] as? String == "Empty", "\(r.stdout)\(r.stderr)")
        let rest = try await WharfProcess.run(["consume", "orders", "--group", "billing"] + b)
        #expect(rest.status == 0 && rest.lines.count == 15, "\(rest.stdout)\(rest.stderr)")
        #expect(Set(first.lines + rest.lines).count == 40)
        let latest = try await WharfProcess.run(["consume", "orders", "--group", "late", "--from", "latest"] + b)
        #expect(latest.status == 0 && latest.stdout.isEmpty, "\(latest.stdout)\(latest.stderr)")
        #expect(server.stop() == 0)
        r = try await WharfProcess.run(["consume", "orders", "--group", "billing"] + d)
        #expect(r.status == 0 && r.stdout.isEmpty, "the embedded member re-read what the wire committed: \(r.stdout)")
    }

    /// The wire member next to a real librdkafka member (`kcat -G`): it joins (kcat rebalances to
    /// one partition), starts at the offsets kcat committed (nothing left to read), and leaves
    /// with LeaveGroup so kcat gets both partitions back at once.
    @Test func groupConsumeOverTheWireSharesAGroupWithKcat() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["topic", "create", "shared", "--partitions", "2"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["produce", "shared"] + d, stdin: (0..<20).map { "s\($0)" }.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let member = try KafkaClientGroupTests.KcatMember(server, group: "mixed", topic: "shared", name: "kcat")
        defer { member.stop() }
        try await KafkaClientGroupTests.waitUntil("kcat to read all 20 records and commit them") {
            guard member.records.count == 20 else { return false }
            let g = try? await WharfProcess.run(["group", "describe", "mixed", "--json", "--bootstrap", server.bootstrap])
            return g.map { $0.stdout.contains(#""totalLag":0"#) } ?? false
        }
        r = try await WharfProcess.run(["consume", "shared", "--group", "mixed", "--format", "json", "--bootstrap", server.bootstrap])
        #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty, "\(r.stdout)\(r.stderr)")
        let notes = ((try? String(contentsOfFile: member.err, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains("assigned: ") }
        #expect(notes.contains { $0.components(separatedBy: "[").count == 2 }, "kcat never shared the group: \(notes)")
        try await KafkaClientGroupTests.waitUntil("kcat to get both partitions back") { member.assigned == [0, 1] }
        member.stop()
        #expect(server.stop() == 0)
    }
}
