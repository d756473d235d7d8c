import Foundation
import Testing

/// What a client can commit over the wire (any group id, any int64 offset) against what the
/// CLI prints afterwards: through the real `wharf serve` and the real binary.
@Suite(.serialized, .endToEnd) struct HostileGroupCLITests {
    static func commit(_ server: KafkaListenerTests.Server, group: String, topic: String, partition: Int, offset: Int64) async throws {
        let r = try await ClusterDashboardTmuxTests.python("commit-meta", server.bootstrap, topic: topic, group: group, ["\(partition)", "\(offset)", ""])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr.suffix(1500))")
    }

    /// Findings 5 and 17: committed offsets of Int64.min and Int64.max (on two partitions, whose
    /// sum overflows) and a group id full of terminal escapes. `group list` and `group describe`
    /// still work, embedded and over `--bootstrap`, after a restart too; tables show the escapes
    /// as "?" while `--json` keeps the id exact.
    @Test func extremeOffsetsAndEscapeSequencesInGroupIdsCannotCrashOrHijackTheCLI() async throws {
        let dir = TempDir()
        #expect(try await WharfProcess.run(["topic", "create", "t", "--partitions", "3", "--data", dir.path]).status == 0)
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let hostile = "\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\u{202E}x"
        try await Self.commit(server, group: "pwned", topic: "t", partition: 0, offset: .min)
        try await Self.commit(server, group: "pwned", topic: "t", partition: 1, offset: .max)
        try await Self.commit(server, group: "pwned", topic: "t", partition: 2, offset: .max)
        try await Self.commit(server, group: hostile, topic: "t", partition: 0, offset: 0)

        func checkTables(_ extra: [String]) async throws {
            let list = try await WharfProcess.run(["group", "list"] + extra)
            #expect(list.status == 0, "\(list.stdout)\(list.stderr)")
            #expect(list.stdout.contains("pwned"), "\(list.stdout)")
            #expect(!list.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 || $0.value == 0x202E },
                    "no control character reaches the terminal: \(list.stdout.debugDescription)")
            #expect(list.stdout.contains("?]0;owned??[2J?31m"), "\(list.stdout.debugDescription)")
            let describe = try await WharfProcess.run(["group", "describe", "pwned"] + extra)
            #expect(describe.status == 0, "\(describe.stdout)\(describe.stderr)")
            // Over --bootstrap a negative commit reads as none ("-"), as Kafka's -1 does.
            #expect(describe.stdout.contains(" 9223372036854775807 "), "\(describe.stdout)")
            let json = try await WharfProcess.run(["group", "list", "--json"] + extra)
            #expect(json.status == 0 && json.stdout.lowercased().contains(#"\u001b]0;owned\u0007\u001b[2j"#), "exact in JSON: \(json.stdout)")
        }
        try await checkTables(["--bootstrap", server.bootstrap])
        #expect(server.stop() == 0)
        try await checkTables(["--data", dir.path])
        // Restarted: the commits are replayed from __consumer_offsets and still cannot crash it.
        let again = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = again.stop() }
        try await checkTables(["--bootstrap", again.bootstrap])
    }
}
