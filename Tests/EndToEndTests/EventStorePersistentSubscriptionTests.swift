import Foundation
import Testing
import WharfTestSupport

/// kurrentdbclient 1.3.5's persistent subscriptions (pinned in `.ci/run`) against `wharf serve`:
/// ack, nack with each action, message timeouts, parking and replay to a live subscriber, `$all` with filters, a `$ce-` category,
/// round robin, the settings GetInfo/List report, KurrentDB's refusals, and a SIGKILL of the
/// broker while events are in flight. Scenarios are in clients/esdb_persistent.py.
@Suite(.serialized, .endToEnd) struct EventStorePersistentSubscriptionTests {
    typealias Server = EventStoreClientTests.Server
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/esdb_persistent.py").path

    static func client(_ uri: String, _ scenario: String, _ extra: [String] = []) async throws -> WharfProcess.Result {
        try await WharfProcess.run([script, uri, scenario] + extra, executable: "/usr/bin/env", prefix: ["python3"], timeout: .seconds(120))
    }

    @Test(arguments: ["ack-nack-park", "timeout", "all-filter", "category", "event-type", "round-robin", "info-list", "errors"])
    func kurrentdbclient(_ scenario: String) async throws {
        let server = try await Server()
        defer { _ = server.stop() }
        let r = try await Self.client(server.uri, scenario)
        EventStoreClientTests.expectOK(r, scenario)
        #expect(r.stdout.contains("ok \(scenario) done"), "\(r.stdout)")
    }

    /// Events 0-9 acked, 10-19 delivered and in flight, then SIGKILL: after the restart the
    /// consumer gets exactly 10-19 (each with a retry count, not as new), none of 0-9, then new
    /// events.
    @Test func aSigkillWhileEventsAreInFlightLosesNothingAndRepeatsNoAck() async throws {
        let dir = TempDir()
        let state = dir.path + "/persistent.json"
        let first = try await Server(dataDirectory: dir)
        let uri = first.uri
        let before = Task { [uri, state] in try await Self.client(uri, "crash-before", [state]) }
        // The scenario writes its state file once the acks have reached the broker.
        var waited = 0
        while !FileManager.default.fileExists(atPath: state), waited < 600 {
            try await Task.sleep(for: .milliseconds(100))
            waited += 1
        }
        #expect(FileManager.default.fileExists(atPath: state))
        first.process.kill()
        first.process.waitUntilExit()
        _ = try? await before.value
        let second = try await Server(dataDirectory: dir)
        defer { _ = second.stop() }
        EventStoreClientTests.expectOK(try await Self.client(second.uri, "crash-after", [state]), "crash-after")
    }
}
