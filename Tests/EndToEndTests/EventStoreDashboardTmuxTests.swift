import Foundation
import Testing

/// Issue 20: what gRPC clients create shows in the dashboard's Streams & projections view, and
/// its actions reach them. The real `wharf dashboard` serves the gRPC listener; a live
/// kurrentdbclient persistent subscriber (pinned in `.ci/run`) parks an event; the view shows the
/// group with it parked; `r` and `y` replay it, and the subscriber receives it.
@Suite(.serialized, .endToEnd) struct EventStoreDashboardTmuxTests {
    @Test func aReplayFromTheDashboardReachesALiveKurrentDBSubscriber() async throws {
        let dir = TempDir()
        let tmux = try Tmux(command: [WharfProcess.binary, "dashboard", "--data", dir.path, "--refresh", "250"] + DashboardListenersTmuxTests.listenFlags,
                            width: 200, height: 40)
        var screen = try await tmux.waitFor { DashboardListenersTmuxTests.listener("grpc", in: $0) != nil }
        let grpc = try #require(DashboardListenersTmuxTests.listener("grpc", in: screen))
        let stream = "invoice-\(UUID().uuidString.prefix(8).lowercased())"
        let out = NSTemporaryDirectory() + "replay-\(UUID().uuidString.prefix(8))"
        let client = try SpawnedProcess(["python3", EventStorePersistentSubscriptionTests.script, "esdb://127.0.0.1:\(grpc.port)?tls=false",
                                         "dashboard-replay", stream], out: out + ".out", err: out + ".err")
        defer {
            _ = client.stop()
            try? FileManager.default.removeItem(atPath: out + ".out")
            try? FileManager.default.removeItem(atPath: out + ".err")
        }
        func clientSays(_ text: String) async throws -> Bool {
            let deadline = Date().addingTimeInterval(60)
            while !client.stdout.contains(text), !client.stderr.contains("Error"), Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            return client.stdout.contains(text)
        }
        #expect(try await clientSays("ok one event parked"), "\(client.stdout)\n\(client.stderr.suffix(3000))")

        try await tmux.send("7")
        let row = "billing"  // the NAME column shows the group; SOURCE its stream
        screen = try await tmux.waitFor { ProjectionTmuxTests.parked(row, in: $0) == 1 }
        #expect(screen.contains("Streams & projections") && ProjectionTmuxTests.parked(row, in: screen) == 1, "\(screen)")
        try await tmux.send("r")
        screen = try await tmux.waitFor { $0.contains("Replay parked events") && $0.contains("back to billing") }
        try await tmux.send("y")
        #expect(try await clientSays("ok the dashboard's replay reached the live subscriber"), "\(client.stdout)\n\(client.stderr.suffix(3000))")
        #expect(try await client.exit() == 0, "\(client.stderr.suffix(3000))")
        screen = try await tmux.waitFor { ProjectionTmuxTests.parked(row, in: $0) == 0 }
        #expect(ProjectionTmuxTests.parked(row, in: screen) == 0, "\(screen)")

        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }
}
