import Foundation
import GRDB
import Testing

/// The Outbox view of the real binary in tmux: the demo's order service, and `--outbox URL`
/// (with its rows view and `t` on a row).
@Suite(.serialized, .endToEnd) struct OutboxDashboardTmuxTests {
    /// The cells of an outbox's row in the Outbox table:
    /// OUTBOX STATE PENDING OLDEST PUB/S FAILING DEAD BACKLOG.
    struct Row {
        var state: String
        var pending: Int
        var dead: Int
    }

    static func row(_ name: String, in screen: String) -> Row? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.first == name, cells.count >= 7,
                  let pending = DashboardTmuxTests.parseCount(cells[2]), let dead = DashboardTmuxTests.parseCount(cells[6]) else { continue }
            return Row(state: cells[1], pending: pending, dead: dead)
        }
        return nil
    }

    @Test func demoOrderOutboxMovesPausesResumesAndRetriesDeadRows() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--no-kafka", "--refresh", "500", "--keep"], width: 120, height: 40)
        // The overview's outbox line names the order service with its backlog and state.
        var screen = try await tmux.waitFor { $0.contains("order-service:") && $0.contains(" pending") }
        #expect(screen.contains("Outbox backlog") && screen.contains("order-service:"), "\(screen)")

        try await tmux.send("6")
        screen = try await tmux.waitFor { Self.row("order-service", in: $0) != nil }
        #expect(screen.contains("Overview › Outbox") && screen.contains("outbox.event.order"), "\(screen)")

        // The backlog moves: orders keep arriving and the relay keeps publishing them.
        var seen = Set<Int>()
        screen = try await tmux.waitFor { s in
            if let r = Self.row("order-service", in: s) { seen.insert(r.pending) }
            return seen.count >= 3
        }
        #expect(seen.count >= 3, "pending never moved: \(seen) \(screen)")

        // Pause: the state says so and the backlog grows, since orders keep coming.
        try await tmux.send("Space")
        screen = try await tmux.waitFor { Self.row("order-service", in: $0)?.state == "paused" }
        let atPause = try #require(Self.row("order-service", in: screen), "\(screen)")
        #expect(atPause.state == "paused" && screen.contains("paused the relay of order-service"), "\(screen)")
        screen = try await tmux.waitFor { (Self.row("order-service", in: $0)?.pending ?? 0) >= atPause.pending + 20 }
        let peak = try #require(Self.row("order-service", in: screen))
        #expect(peak.state == "paused" && peak.pending >= atPause.pending + 20, "backlog did not grow while paused: \(screen)")

        // Resume: the relay drains the backlog (a demo slow phase may hold it for up to 20 s).
        try await tmux.send("Space")
        screen = try await tmux.waitFor(timeout: 60) { s in
            guard let r = Self.row("order-service", in: s) else { return false }
            return r.state != "paused" && r.pending < min(20, peak.pending / 2)
        }
        let drained = try #require(Self.row("order-service", in: screen), "\(screen)")
        #expect(drained.state != "paused" && drained.pending < peak.pending / 2, "backlog did not drain after resume: \(screen)")

        // The demo's validator rejects an order now and then until it is dead; retry-dead asks
        // first, then the row is pending again and gets published.
        screen = try await tmux.waitFor(timeout: 60) { (Self.row("order-service", in: $0)?.dead ?? 0) > 0 }
        #expect((Self.row("order-service", in: screen)?.dead ?? 0) > 0, "no dead row appeared: \(screen)")
        try await tmux.send("r")
        // The whole dialog, not just its title: a capture can land while curses is still drawing.
        screen = try await tmux.waitFor { $0.contains("Retry dead rows") && $0.contains("pending again?") }
        #expect(screen.contains("pending again?"), "\(screen)")
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("retried") && $0.contains("dead row") }
        #expect(screen.contains("of order-service: pending again"), "\(screen)")
        screen = try await tmux.waitFor { Self.row("order-service", in: $0)?.dead == 0 }
        #expect(Self.row("order-service", in: screen)?.dead == 0, "the revived row did not leave the dead count: \(screen)")

        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")

        // Every order was written with its event in one transaction: one OrderPlaced row per
        // order, and what the relay marked published is in the topic.
        let kept = try #require(screen.split(separator: "\n").first { $0.hasPrefix("demo data kept in ") }, "\(screen)")
        let dir = String(kept.dropFirst("demo data kept in ".count)).trimmingCharacters(in: .whitespaces)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try DatabaseQueue(path: dir + "/order-service.db")
        let (orders, placed, unmatched, published) = try await db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE type = 'OrderPlaced'")!,
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM orders o WHERE (SELECT COUNT(*) FROM outbox e
                  WHERE e.aggregateid = o.id AND e.type = 'OrderPlaced') != 1
                """)!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL")!)
        }
        try db.close()
        #expect(orders > 30 && placed == orders && unmatched == 0, "orders \(orders), OrderPlaced rows \(placed), unmatched \(unmatched)")
        let consumed = try await WharfProcess.run(["consume", "outbox.event.order", "--data", dir])
        #expect(consumed.status == 0 && consumed.lines.count >= published && published > 30,
                "published \(published), in topic \(consumed.lines.count): \(consumed.stderr)")
    }

    @Test func readOnlyDemoShowsTheOutboxWithoutItsActions() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--no-kafka", "--read-only", "--refresh", "500"], width: 120, height: 40)
        _ = try await tmux.waitFor { $0.contains("order-service:") }
        try await tmux.send("6")
        var screen = try await tmux.waitFor { Self.row("order-service", in: $0) != nil }
        #expect(!screen.contains("pause relay") && !screen.contains("retry dead"), "\(screen)")
        try await tmux.send("Space")
        try await tmux.send("r")
        screen = try await tmux.waitFor { $0.contains("read-only:") }
        #expect(screen.contains("read-only: retry dead rows is disabled") || screen.contains("read-only: pause or resume relays is disabled"),
                "\(screen)")
        #expect(!screen.contains("Retry dead rows") && Self.row("order-service", in: screen)?.state != "paused", "\(screen)")
        try await tmux.send("q")
        #expect(try await tmux.waitFor { $0.contains("[exit") }.contains("[exit 0]"))
    }

    @Test func outboxOptionRelaysAnApplicationOutboxIntoTheDataDirectory() async throws {
        let dir = TempDir()
        let db = "sqlite:\(dir.path)/app.db"
        #expect(try await WharfProcess.run(["outbox", "init", "--db", db]).status == 0)
        let app = try DatabaseQueue(path: dir.path + "/app.db")
        try await app.write { db in
            for i in 0..<5 {
                try db.execute(sql: "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES (?, 'invoice', ?, 'created', '{}')",
                               arguments: ["e\(i)", "i\(i)"])
            }
        }
        try app.close()
        let data = dir.path + "/data"
        let tmux = try Tmux(command: [WharfProcess.binary, "--data", data, "--outbox", db, "--no-kafka", "--refresh", "500"],
                            width: 120, height: 30)
        try await tmux.send("6")
        var screen = try await tmux.waitFor { $0.contains("Outbox") && Self.row("app.db", in: $0)?.pending == 0 && $0.contains("published 5") }
        let row = try #require(Self.row("app.db", in: screen), "\(screen)")
        #expect(row.state == "running" && row.pending == 0 && row.dead == 0, "\(screen)")
        #expect(screen.contains("published 5 since start"), "\(screen)")

        // Enter lists the outbox's rows, newest first; t on one traces its event from the row to
        // the record the relay made of it.
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("app.db rows") && $0.contains("invoice/i4") && $0.contains("invoice/i0") }
        #expect(screen.contains("published"), "\(screen)")
        try await tmux.send("t")
        screen = try await tmux.waitFor { $0.contains("outbox app.db row e4 (invoice/i4 created): published") && $0.contains("now: in ") }
        #expect(screen.contains("now: in outbox.event.invoice/") && screen.contains("event id e4"), "\(screen)")
        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
        let r = try await WharfProcess.run(["consume", "outbox.event.invoice", "--data", data])
        #expect(r.status == 0 && r.lines.count == 5, "\(r.stdout) \(r.stderr)")

        // A database without the table is a one-line error, before the screen is taken.
        let bad = try await WharfProcess.run(["--data", data, "--outbox", "sqlite:\(dir.path)/missing.db", "--no-kafka"])
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }
}
