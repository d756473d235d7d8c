import Foundation
import Testing
import WharfTestSupport

/// Topics, subscriptions and rules with the real azure-servicebus 7.15.0 SDK against `wharf
/// serve`: the CLI sets them up, the SDK sends to the topic, and per-subscription receivers see
/// exactly the messages their rules match.
@Suite(.serialized, .endToEnd) struct ServiceBusTopicSDKTests {
    static func wharf(_ args: [String], _ dir: TempDir) async throws {
        let r = try await WharfProcess.run(args + ["--data", dir.path])
        guard r.status == 0 else { throw TmuxError("wharf \(args.joined(separator: " ")): \(r.stderr)") }
    }

    @Test func aMessageReachesExactlyTheSubscriptionsWhoseRulesMatch() async throws {
        let dir = TempDir()
        try await Self.wharf(["servicebus", "topic", "create", "orders"], dir)
        try await Self.wharf(["servicebus", "subscription", "create", "orders", "all"], dir)
        try await Self.wharf(["servicebus", "subscription", "create", "orders", "red", "--sql", "color = 'red' AND quantity > 5"], dir)
        try await Self.wharf(["servicebus", "subscription", "create", "orders", "billing"], dir)
        try await Self.wharf(["servicebus", "rule", "add", "orders", "billing", "eu", "--to", "billing", "--property", "region=eu"], dir)
        try await Self.wharf(["servicebus", "rule", "remove", "orders", "billing", "$Default"], dir)
        try await Self.wharf(["servicebus", "subscription", "create", "orders", "small", "--sql", "sys.Label LIKE 'small%'"], dir)
        try await Self.wharf(["servicebus", "subscription", "create", "orders", "none", "--sql", "1=0"], dir)
        let rules = try await WharfProcess.run(["servicebus", "rule", "list", "orders", "billing", "--data", dir.path])
        #expect(rules.stdout.contains("eu") && rules.stdout.contains("correlation: to=billing, user.region=eu") && !rules.stdout.contains("$Default"),
                "\(rules.stdout)")

        let server = try await ServiceBusSDKTests.Server(queues: [], dataDirectory: dir)
        defer { _ = server.stop() }
        let r = try await ServiceBusSDKTests.sdk(server.connectionString, "orders", "topic-filters")
        #expect(r.status == 0 && !r.stdout.contains("FAIL"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
        #expect(server.stop() == 0)

        let subs = try await WharfProcess.run(["servicebus", "subscription", "list", "orders", "--data", dir.path])
        #expect(subs.lines.count == 6 && subs.stdout.contains("red"), "\(subs.stdout)")
        // Subscriptions are queues to the rest of Wharf (the dashboard's Queues view lists them).
        let queues = try await WharfProcess.run(["queue", "list", "--json", "--data", dir.path])
        #expect(queues.stdout.contains("orders/Subscriptions/all"), "\(queues.stdout)")
    }

    @Test func badInputIsOneClearLineAndANonZeroExit() async throws {
        let dir = TempDir()
        try await Self.wharf(["servicebus", "topic", "create", "t"], dir)
        try await Self.wharf(["servicebus", "subscription", "create", "t", "s"], dir)
        for args in [["servicebus", "rule", "add", "t", "s", "r", "--sql", "color = "],
                     ["servicebus", "rule", "add", "t", "s", "r"],
                     ["servicebus", "subscription", "create", "missing", "s"],
                     ["servicebus", "topic", "create", "bad/name"],
                     ["servicebus", "rule", "remove", "t", "s", "nope"]] {
            let r = try await WharfProcess.run(args + ["--data", dir.path])
            #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.status) \(r.stderr)")
        }
    }
}
