import Foundation
import Testing

/// The demo's Spring-style dead-letter topic `payments.DLT` in the Dead letters view of the real
/// `wharf demo`: recognised by its headers beside the `emails` dead-letter queue, browsed with
/// the decoded origin and reason, and requeued to `payments` once (a second requeue finds only
/// what was dead-lettered since, also after a restart).
@Suite(.serialized, .endToEnd) struct DeadLetterTopicTmuxTests {
    static let dlt = "payments.DLT"

    /// The COUNT column of payments.DLT in the Dead letters view.
    static func topicCount(_ screen: String) -> Int? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cells.count >= 3, cells[0] == Substring(dlt), cells[1] == "topic" else { continue }
            return DashboardTmuxTests.parseCount(String(cells[2]))
        }
        return nil
    }

    @Test func requeueTheDemoDeadLetterTopicToItsOriginalTopicOnce() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--no-kafka", "--keep", "--refresh", "250"], width: 120, height: 40,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        try await tmux.send("5")
        var screen = try await tmux.waitFor { (Self.topicCount($0) ?? 0) >= 12 && DeadLetterTmuxTests.deadLetterCount($0) != nil }
        #expect(screen.contains("Card declined by issuer"), "top reasons of the topic: \(screen)")

        // The browser: origin decoded from Spring's binary headers, reason and exception class.
        try await tmux.send("j")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("\(Self.dlt) ·") && $0.contains("SEQ") && $0.contains("reason   ") }
        #expect(screen.contains("from payments/"), "\(screen)")
        #expect(screen.contains("com.example.payments."), "\(screen)")
        #expect(screen.contains("dead-letter convention=spring"), "\(screen)")
        #expect(!screen.contains("u undo"), "a topic's purge cannot be undone, so no undo key: \(screen)")

        // Requeue all: the preview names the original topic; the move is reported.
        try await tmux.send("Escape")
        _ = try await tmux.waitFor { Self.topicCount($0) != nil && !$0.contains("SEQ") }
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Requeue from \(Self.dlt)") && $0.contains("all messages") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("message(s) will move (all messages)") }
        let moving = DeadLetterTmuxTests.number(before: " message(s) will move", in: screen) ?? 0
        #expect(moving >= 12, "\(screen)")
        #expect(screen.contains("payments"), "\(screen)")
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("requeued \(moving) record(s) from \(Self.dlt) (\(moving) to payments)") }

        // A second requeue right away finds only what was dead-lettered since (a few at most).
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Requeue from \(Self.dlt)") && $0.contains("all messages") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("message(s) will move (all messages)") }
        let again = DeadLetterTmuxTests.number(before: " message(s) will move", in: screen) ?? .max
        #expect(again < moving, "already requeued records are not offered again: \(screen)")
        try await tmux.send("Escape")

        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
        let kept = screen.split(separator: "\n").first { $0.contains("demo data kept in ") }
            .map { String($0[$0.range(of: "demo data kept in ")!.upperBound...]).trimmingCharacters(in: .whitespaces) }
        let dir = try #require(kept, "\(screen)")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // After the restart the progress is still there: the CLI offers no already-requeued record.
        let dry = try await WharfProcess.run(["dlq", "requeue", Self.dlt, "--all", "--dry-run", "--data", dir])
        #expect(dry.status == 0, "\(dry.stderr)")
        let left = DeadLetterTmuxTests.number(before: " record", in: dry.stdout) ?? .max
        #expect(left < moving, "\(dry.stdout)")
    }
}
