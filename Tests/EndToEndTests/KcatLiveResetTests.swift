import Foundation
import Testing

/// kcat's turn of the live-reset check (the Python clients' is in KafkaLiveResetTests): a
/// `kcat -G` balanced consumer (librdkafka 2.0) reads and commits six records, an operator
/// replays its group to earliest in the dashboard while it runs, and kcat reads all six again:
/// its generation is fenced, it rejoins and fetches from the reset offsets.
@Suite(.serialized, .endToEnd) struct KcatLiveResetTests {
    @Test func aDashboardResetIsSeenByALiveKcatGroup() async throws {
        let dir = TempDir()
        // Wide enough for the header to keep "kafka: ADDRESS" beside a long TMPDIR's data path.
        let tmux = try Tmux(command: [WharfProcess.binary, "--data", dir.path + "/data", "--kafka-listen", "127.0.0.1:0"], width: 180, height: 40,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        var screen = try await tmux.waitFor { $0.range(of: #"kafka: 127\.0\.0\.1:\d+"#, options: .regularExpression) != nil }
        let bootstrap = String(screen[try #require(screen.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression))])
        let produced = try await KafkaListenerTests.kcat(["-b", bootstrap, "-t", "k-live", "-P"], stdin: (1...6).map { "v\($0)" }.joined(separator: "\n") + "\n")
        #expect(produced.status == 0, "\(produced.stderr)")

        let out = dir.path + "/kcat.out"
        let kcat = try SpawnedProcess(["/usr/bin/kcat", "-b", bootstrap, "-G", "k-live-g", "-X", "auto.offset.reset=earliest",
                                       "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100", "-u", "-f", "%s\n", "k-live"],
                                      out: out, err: dir.path + "/kcat.err")
        defer { _ = kcat.stop() }
        func lines() -> [String] { ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        try await KafkaClientGroupTests.waitUntil("kcat to read the 6 records") { lines().count >= 6 }
        #expect(lines() == (1...6).map { "v\($0)" })

        // The group's detail shows it caught up (lag 0: kcat committed), then the replay.
        try await tmux.send("3")
        try await tmux.send("/")
        try await tmux.type("k-live-g")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("/k-live-g") && DashboardTmuxTests.lag(of: "k-live-g", in: $0) == 0 }
        try await KafkaLiveResetTests.openReplay("k-live-g", in: tmux)
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("RE-READ") && $0.contains("Reset to earliest") }
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("reset k-live-g on 1 partition(s)") }

        // kcat, still running, reads all six again.
        try await KafkaClientGroupTests.waitUntil("kcat to re-read after the reset") { lines().count >= 12 }
        #expect(Array(lines().suffix(6)) == (1...6).map { "v\($0)" }, "\(lines())")
        // kcat leaves its group while the broker still runs; after `q` its close would wait for it.
        kcat.stop()
        try await tmux.send("q")
    }
}
