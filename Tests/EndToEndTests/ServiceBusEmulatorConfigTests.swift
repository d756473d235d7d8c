import Foundation
import Testing
import WharfTestSupport

/// The Service Bus emulator's `Config.json` (the sample's shape: a queue, a topic with
/// correlation, user-property, default and SQL subscriptions) imported by `wharf servicebus
/// import` and by `serve --servicebus-config`, then used by the real azure-servicebus SDK.
@Suite(.serialized, .endToEnd) struct ServiceBusEmulatorConfigTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("servicebus/Config.json").path

    @Test func theSampleConfigIsImportedIdempotentlyAndUsedByTheSDK() async throws {
        let dir = TempDir()
        let first = try await WharfProcess.run(["servicebus", "import", Self.sample, "--data", dir.path])
        #expect(first.status == 0, "\(first.stderr)")
        for line in ["created queue queue.1", "created topic topic.1", "created subscription topic.1/Subscriptions/subscription.4"] {
            #expect(first.stdout.contains(line), "\(first.stdout)")
        }
        #expect(!first.stderr.contains("rule actions"), "\(first.stderr)")
        let again = try await WharfProcess.run(["servicebus", "import", Self.sample, "--data", dir.path])
        #expect(again.status == 0 && again.stdout.contains("nothing to create"), "\(again.stdout) \(again.stderr)")

        // serve imports it again at start (nothing changes), and the SDK uses what it declares.
        let server = try await ServiceBusSDKTests.Server(queues: [], dataDirectory: dir, extraArguments: ["--servicebus-config", Self.sample])
        defer { _ = server.stop() }
        let r = try await ServiceBusSDKTests.sdk(server.connectionString, "-", "emulator-config")
        #expect(r.status == 0 && !r.stdout.contains("FAIL"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
        #expect(server.stop() == 0)
        let subs = try await WharfProcess.run(["servicebus", "subscription", "list", "topic.1", "--data", dir.path])
        #expect(subs.lines.count == 5, "\(subs.stdout)")
    }

    @Test func aMalformedFileIsOneLineAndANonZeroExitUnknownKeysOnlyWarn() async throws {
        let dir = TempDir()
        let bad = dir.path + "/bad.json"
        for (text, why) in [("{ not json", "not valid JSON"), (#"{"UserConfig": {"Namespaces": [{"Queues": [{"Name": "q", "Properties": {"LockDuration": "soon"}}]}]}}"#, "LockDuration"),
                            (#"{"UserConfig": {"Namespaces": [{"Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Rules": [{"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "a = "}}}]}]}]}]}}"#, "SQL filter")] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: bad))
            let r = try await WharfProcess.run(["servicebus", "import", bad, "--data", dir.path])
            #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(why), "\(r.status) \(r.stderr)")
            let serve = try await WharfProcess.run(["serve", "--data", dir.path, "--listen", "127.0.0.1:0", "--amqp-listen", "127.0.0.1:0",
                                                    "--servicebus-config", bad])
            #expect(serve.status != 0 && serve.stderr.contains(why), "\(serve.status) \(serve.stderr)")
        }
        try Data(#"{"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [{"Name": "q", "Colour": "blue"}]}], "Extra": 1}}"#.utf8)
            .write(to: URL(fileURLWithPath: bad))
        let r = try await WharfProcess.run(["servicebus", "import", bad, "--data", dir.path])
        #expect(r.status == 0 && r.stdout.contains("created queue q") && r.stderr.contains("Colour") && r.stderr.contains("Extra"), "\(r.stdout) \(r.stderr)")
    }
}
