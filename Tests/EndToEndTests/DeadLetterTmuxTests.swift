import Foundation
import Testing

/// The Queues and Dead letters views of the real `wharf demo` in tmux: the demo's `emails`
/// handler dead-letters messages; an operator requeues some and all of them, purges, and undoes.
@Suite(.serialized, .endToEnd) struct DeadLetterTmuxTests {
    static let dlq = "emails/$deadletterqueue"

    /// The COUNT column of the emails dead-letter queue in the Dead letters view.
    static func deadLetterCount(_ screen: String) -> Int? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cells.count >= 3, cells[0] == Substring(dlq), cells[1] == "queue" else { continue }
            return DashboardTmuxTests.parseCount(String(cells[2]))
        }
        return nil
    }

    /// The ACTIVE column of the emails queue in the Queues view.
    static func activeCount(_ screen: String) -> Int? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cells.count >= 3, cells[0] == "emails" else { continue }
            return DashboardTmuxTests.parseCount(String(cells[1]))
        }
        return nil
    }

    /// "requeued 12 message(s)" -> 12.
    static func number(before suffix: String, in screen: String) -> Int? {
        guard let r = screen.range(of: suffix) else { return nil }
        let digits = screen[..<r.lowerBound].reversed().drop { $0 == " " }.prefix { $0.isNumber }
        return Int(String(digits.reversed()))
    }

    @Test func requeueSelectionAndAllFromTheDemoDeadLetterQueueThenPurgeAndUndo() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--no-kafka", "--refresh", "250"], width: 120, height: 40,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        // 5: the Dead letters view; the demo's handler fills the emails dead-letter queue.
        try await tmux.send("5")
        var screen = try await tmux.waitFor { $0.contains("Dead letters") && (Self.deadLetterCount($0) ?? 0) >= 10 }
        #expect(screen.contains("GROWTH/MIN") && screen.contains("TOP REASONS"), "\(screen)")
        screen = try await tmux.waitFor { $0.contains("MaxDeliveryCountExceeded") || $0.contains("InvalidAddress") }

        // Enter: the message browser, with reasons and the selected message's details.
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("\(Self.dlq) ·") && $0.contains("SEQ") && $0.contains("reason   ") }
        #expect(screen.contains("props    template="), "\(screen)")

        // Mark two messages, requeue the selection: the preview says how many and where to.
        try await tmux.send("Space")
        try await tmux.send("Space")
        _ = try await tmux.waitFor { $0.contains("2 marked") }
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Requeue from \(Self.dlq)") && $0.contains("the selected message(s) (2)") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("2 message(s) will move") && $0.contains("to   emails") }
        #expect(screen.contains("to   emails (source)"), "\(screen)")
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("requeued 2 message(s) from \(Self.dlq) to emails") }
        #expect(!screen.contains("marked"), "marks of requeued messages are gone: \(screen)")

        // Back to the list: requeue all (the list offers all / filters, no selection).
        try await tmux.send("Escape")
        screen = try await tmux.waitFor { (Self.deadLetterCount($0) ?? 0) >= 10 && !$0.contains("SEQ") }
        try await tmux.send("4")
        screen = try await tmux.waitFor { $0.contains("ACTIVE") && Self.activeCount($0) != nil }
        let activeBefore = Self.activeCount(screen) ?? 0
        try await tmux.send("5")
        _ = try await tmux.waitFor { Self.deadLetterCount($0) != nil }
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Requeue from") && $0.contains("all messages") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("message(s) will move (all messages)") }
        let moving = Self.number(before: " message(s) will move", in: screen) ?? 0
        #expect(moving >= 10, "\(screen)")
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("requeued \(moving) message(s)") }
        // The count drops (the handler dead-letters some of them again later, so not to zero).
        screen = try await tmux.waitFor { (Self.deadLetterCount($0) ?? .max) < moving / 2 }
        #expect((Self.deadLetterCount(screen) ?? .max) < moving, "\(screen)")
        // And the queue's active count moved with the requeued messages.
        try await tmux.send("4")
        screen = try await tmux.waitFor { Self.activeCount($0) != nil && Self.activeCount($0) != activeBefore }
        #expect(Self.activeCount(screen) != activeBefore, "\(screen)")

        // Purge the dead-letter queue with the typed confirmation, then undo it.
        try await tmux.send("5")
        screen = try await tmux.waitFor { (Self.deadLetterCount($0) ?? 0) >= 1 }
        try await tmux.send("x")
        _ = try await tmux.waitFor { $0.contains("Purge \(Self.dlq)") && $0.contains("Type purge") }
        try await tmux.type("purge")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("purged") && $0.contains("u restores them until") }
        let purged = Self.number(before: " message(s) from \(Self.dlq)", in: screen) ?? 0
        #expect(purged >= 1, "\(screen)")
        try await tmux.send("u")
        _ = try await tmux.waitFor { $0.contains("Undo purge of \(Self.dlq)") }
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("restored \(purged) purged message(s)") }
        screen = try await tmux.waitFor { (Self.deadLetterCount($0) ?? 0) >= purged }

        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }

    @Test func readOnlyBrowsesButCannotRequeueOrPurge() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--no-kafka", "--read-only", "--refresh", "250"], width: 120, height: 40)
        try await tmux.send("5")
        var screen = try await tmux.waitFor { (Self.deadLetterCount($0) ?? 0) >= 1 }
        #expect(!screen.contains("r requeue") && !screen.contains("x purge"), "\(screen)")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("SEQ") && $0.contains("reason   ") }
        try await tmux.send("r")
        screen = try await tmux.waitFor { $0.contains("read-only: requeue is disabled") }
        #expect(!screen.contains("Requeue from"), "\(screen)")
        try await tmux.send("q")
        #expect(try await tmux.waitFor { $0.contains("[exit") }.contains("[exit 0]"))
    }
}
