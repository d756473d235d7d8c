import Foundation
import Testing
import WharfTestSupport

/// The Python `eventsourcing` library's application model through `eventsourcing-kurrentdb`
/// (both pinned in `.ci/run`) against `wharf serve`: an aggregate saved, refused at a stale
/// version, listed in the notification log (`$all`), and reloaded by a new application after
/// the broker restarted. The script is clients/esdb_eventsourcing.py.
@Suite(.serialized, .endToEnd) struct EventSourcingLibraryTests {
    typealias Server = EventStoreClientTests.Server
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/esdb_eventsourcing.py").path

    static func run(_ uri: String, _ phase: String, _ state: String) async throws -> WharfProcess.Result {
        try await WharfProcess.run([script, uri, phase, state], executable: "/usr/bin/env", prefix: ["python3"], timeout: .seconds(120))
    }

    @Test func anAggregateIsPersistedAndReloadedAcrossARestart() async throws {
        let dir = TempDir()
        let state = dir.path + "/eventsourcing.json"
        let first = try await Server(dataDirectory: dir)
        let saved = try await Self.run(first.uri, "save", state)
        #expect(first.stop() == 0)
        EventStoreClientTests.expectOK(saved, "save")
        #expect(saved.stdout.contains("ok save done"), "\(saved.stdout)")
        let second = try await Server(dataDirectory: dir)
        defer { _ = second.stop() }
        let reloaded = try await Self.run(second.uri, "reload", state)
        EventStoreClientTests.expectOK(reloaded, "reload")
        #expect(reloaded.stdout.contains("ok reload done"), "\(reloaded.stdout)")
    }
}
