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
}
