import Foundation
import Testing
import WharfTestSupport

/// Many azure-servicebus 7.15.0 clients at once against `wharf serve` (issue 15: "50 concurrent
/// clients", where the emulator caps at 10 connections), and the listener's own connection limit
/// as the SDK sees it.
@Suite(.serialized, .endToEnd) struct ServiceBusConcurrencySDKTests {
    /// 50 clients, each its own connection, send and receive at once on a queue and on a topic's
    /// two subscriptions; every message reaches each matching subscription (and the queue) exactly
    /// once, with competing receivers per entity.
    @Test func fiftyClientsAtOnceDeliverEveryMessageExactlyOncePerEntity() async throws {
        let dir = TempDir()
        try await ServiceBusTopicSDKTests.wharf(["servicebus", "topic", "create", "fifty-topic"], dir)
        try await ServiceBusTopicSDKTests.wharf(["servicebus", "subscription", "create", "fifty-topic", "all"], dir)
        try await ServiceBusTopicSDKTests.wharf(["servicebus", "subscription", "create", "fifty-topic", "red", "--sql", "color = 'red'"], dir)
        let server = try await ServiceBusSDKTests.Server(queues: [("fifty", [])], dataDirectory: dir,
                                                         extraArguments: ["--amqp-max-connections", "60"])
        defer { _ = server.stop() }
        let r = try await ServiceBusSDKTests.sdk(server.connectionString, "fifty", "fifty-clients")
        #expect(r.status == 0 && !r.stdout.contains("FAIL") && r.stdout.contains("ok red: 75 delivered, 0 duplicates, 0 missing"),
                "\(r.stdout)\n\(r.stderr.suffix(3000))")
        #expect(server.stop() == 0)
    }

    /// With `--amqp-max-connections 3`, a fourth SDK client fails with the AMQP error
    /// (`amqp:resource-limit-exceeded`), the three connected ones keep sending, and a new client
    /// connects once one of them left.
    @Test func aClientOverTheConnectionLimitIsRefusedAndTheOthersAreUnaffected() async throws {
        let server = try await ServiceBusSDKTests.Server(queues: [("limited", [])], extraArguments: ["--amqp-max-connections", "3"])
        defer { _ = server.stop() }
        let r = try await ServiceBusSDKTests.sdk(server.connectionString, "limited", "connection-limit")
        #expect(r.status == 0 && !r.stdout.contains("FAIL") && r.stdout.contains("ok the fourth connection is refused with the AMQP error"),
                "\(r.stdout)\n\(r.stderr.suffix(3000))")
        #expect(server.stop() == 0)
    }
}
