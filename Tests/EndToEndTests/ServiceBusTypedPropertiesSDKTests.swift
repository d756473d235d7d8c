import Foundation
import Testing
import WharfTestSupport

/// Typed application properties with the real azure-servicebus 7.15.0 SDK: string, int, long,
/// double, bool, uuid, timestamp, short and byte (the SDK sends bytes as strings) come back with their type after
/// receive, defer, dead-letter, `wharf dlq requeue` (across a restart) and topic fan-out, and SQL
/// subscriptions compare them as numbers and booleans (a number does not match LIKE).
@Suite(.serialized, .endToEnd) struct ServiceBusTypedPropertiesSDKTests {
    @Test func everyPropertyTypeRoundTripsThroughEveryPathAndFiltersSeeTheTypes() async throws {
        let dir = TempDir()
        try await ServiceBusTopicSDKTests.wharf(["servicebus", "topic", "create", "typed-topic"], dir)
        try await ServiceBusTopicSDKTests.wharf(["servicebus", "subscription", "create", "typed-topic", "all"], dir)
        try await ServiceBusTopicSDKTests.wharf(["servicebus", "subscription", "create", "typed-topic", "num",
                                                 "--sql", "i > 40 AND d < 3 AND b = TRUE AND big > 1000000000000 AND sh = -7 AND by = 5"], dir)
        try await ServiceBusTopicSDKTests.wharf(["servicebus", "subscription", "create", "typed-topic", "like", "--sql", "i LIKE '4%'"], dir)
        let first = try await ServiceBusSDKTests.Server(queues: [("typed", [])], dataDirectory: dir)
        let r = try await ServiceBusSDKTests.sdk(first.connectionString, "typed", "typed-properties")
        #expect(r.status == 0 && !r.stdout.contains("FAIL") && r.stdout.contains("ok fan-out to num"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
        #expect(first.stop() == 0)

        let requeue = try await WharfProcess.run(["dlq", "requeue", "typed", "--all", "--data", dir.path])
        #expect(requeue.status == 0, "\(requeue.stdout) \(requeue.stderr)")
        let second = try await ServiceBusSDKTests.Server(queues: [], dataDirectory: dir)
        defer { _ = second.stop() }
        let again = try await ServiceBusSDKTests.sdk(second.connectionString, "typed", "typed-requeued")
        #expect(again.status == 0 && !again.stdout.contains("FAIL") && again.stdout.contains("ok requeued from the dead-letter queue"),
                "\(again.stdout)\n\(again.stderr.suffix(3000))")
        #expect(second.stop() == 0)
    }

    /// Issue 15: the dashboard shows a dead letter the SDK produced, an operator requeues it
    /// there, and the SDK receives it again with every property in its type.
    @Test func aDeadLetterFromTheSDKIsRequeuedInTheDashboardAndReceivedWithItsProperties() async throws {
        let dir = TempDir()
        let created = try await WharfProcess.run(["queue", "create", "typed", "--data", dir.path])
        #expect(created.status == 0, "\(created.stderr)")
        let tmux = try Tmux(command: [WharfProcess.binary, "dashboard", "--data", dir.path, "--refresh", "250"] + DashboardListenersTmuxTests.listenFlags,
                            width: 200, height: 40)
        var screen = try await tmux.waitFor { DashboardListenersTmuxTests.listener("amqp", in: $0) != nil }
        let port = try #require(DashboardListenersTmuxTests.listener("amqp", in: screen)?.port)
        let keys = try await WharfProcess.run(["servicebus", "connection-string", "--data", dir.path, "--amqp-listen", "127.0.0.1:\(port)"])
        let connectionString = keys.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let dead = try await ServiceBusSDKTests.sdk(connectionString, "typed", "typed-deadlettered")
        #expect(dead.status == 0 && !dead.stdout.contains("FAIL"), "\(dead.stdout)\n\(dead.stderr.suffix(3000))")

        // 5: the Dead letters view shows it with its reason; requeue all of it.
        try await tmux.send("5")
        screen = try await tmux.waitFor { $0.contains("typed/$deadletterqueue") && $0.contains("typed-reason") }
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Requeue from typed/$deadletterqueue") && $0.contains("all messages") }
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("1 message(s) will move (all messages)") }
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("requeued 1 message(s)") }

        let again = try await ServiceBusSDKTests.sdk(connectionString, "typed", "typed-requeued")
        #expect(again.status == 0 && !again.stdout.contains("FAIL") && again.stdout.contains("ok requeued from the dead-letter queue"),
                "\(again.stdout)\n\(again.stderr.suffix(3000))")
        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }
}
