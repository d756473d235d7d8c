@testable import WharfDashboard

/// The synthetic cluster plus three outboxes over eight ticks: `billing.db` paused (backlog
/// growing), `inventory` failing (a row retried, an error), `order-service` running with a
/// dead row and a backlog that climbs (a slow broker) while publishing.
enum OutboxFixture {
    static let ticks = 8

    static func outboxes(tick i: Int) -> [OutboxSnapshot] {
        let orderBacklog: [Int64] = [4, 6, 12, 30, 55, 80, 96, 110]
        return [
            OutboxSnapshot(name: "order-service", location: "sqlite:/srv/orders.db · table outbox → outbox.event.order",
                           pending: orderBacklog[i], oldestAgeMs: 1_200 + Int64(i) * 900, dead: 1, failing: 0,
                           publishedTotal: 1_000 + Int64(i) * 20, failuresTotal: 3, relay: .running),
            OutboxSnapshot(name: "billing.db", location: "sqlite:/srv/billing.db · table outbox", pending: 240 + Int64(i) * 10,
                           oldestAgeMs: 60_000 + Int64(i) * 1000, publishedTotal: 5_000, relay: .paused),
            OutboxSnapshot(name: "inventory", location: "postgres://app@db:5432/inventory · table outbox", pending: 12,
                           oldestAgeMs: 95_000 + Int64(i) * 1000, failing: 2, publishedTotal: 300 + Int64(i) * 5,
                           failuresTotal: Int64(i) * 2, relay: .failing,
                           lastError: "row 9f1c…: headers column is not a JSON object of strings: [1,2]"),
        ]
    }

    static func state(width: Int = 80, height: Int = 24, readOnly: Bool = false, capabilities: SourceCapabilities = .all,
                      outboxes: ((Int) -> [OutboxSnapshot]?)? = nil) -> DashboardState {
        var cluster = SyntheticCluster(demoAt: Fixture.start)
        var state = DashboardState(capabilities: capabilities, readOnly: readOnly, width: width, height: height)
        for i in 0..<ticks {
            cluster.advance(to: Fixture.start + Int64(i) * 1000)
            var snap = cluster.snapshot(source: "/var/lib/wharf", listener: "listening on :9092")
            snap.outboxes = outboxes.map { $0(i) } ?? Self.outboxes(tick: i)
            _ = state.update(.tick(snap))
        }
        return state
    }
}
