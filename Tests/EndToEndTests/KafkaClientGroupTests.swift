import Foundation
import Testing

/// Issue #6's per-client checks: a consumer group of three that rebalances without losing or
/// duplicating a record, committed offsets across a broker restart, offsets by timestamp, every
/// codec, the idempotent producer, DeleteRecords and topic admin, for kcat and the Python clients.
@Suite(.serialized, .endToEnd) struct KafkaClientGroupTests {
    static var clientsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients")
    }

    /// Runs `feature_checks.py CLIENT BOOTSTRAP PREFIX CHECK...` (one Python process per client).
    static func python(_ client: String, _ server: KafkaListenerTests.Server, _ checks: [String]) async throws -> WharfProcess.Result {
        try await WharfProcess.run([clientsDirectory.appendingPathComponent("feature_checks.py").path, client, server.bootstrap, "p"] + checks,
                             executable: "/usr/bin/env", prefix: ["python3"])
    }

    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func pythonClientGroupRebalanceTimestampsCodecsIdempotenceDeleteRecordsAndAdmin(client: String) async throws {
        let server = try KafkaListenerTests.Server()
        let checks = ["group", "timestamps", "codecs", "idempotent", "delete-records", "admin"]
        let r = try await Self.python(client, server, checks)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr.suffix(2000))")
        for check in checks { #expect(r.stdout.contains("OK \(check)"), "\(client) \(check): \(r.stdout)") }
        #expect(server.stop() == 0)
    }

    /// group.initial.rebalance.delay.ms: three consumers started together each get a partition
    /// in their first assignment (with no delay the first would take all three, then rebalance).
    @Test(arguments: ["confluent", "kafka-python"])
    func threeConsumersStartedTogetherShareThePartitionsFromTheFirstAssignment(client: String) async throws {
        let server = try KafkaListenerTests.Server(extra: ["--group-initial-rebalance-delay-ms", "1000"])
        let r = try await Self.python(client, server, ["initial-split"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr.suffix(2000))")
        #expect(r.stdout.contains("OK initial-split"), "\(client): \(r.stdout)")
        #expect(server.stop() == 0)
    }

    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func pythonClientCommittedOffsetsSurviveABrokerRestart(client: String) async throws {
        let first = try KafkaListenerTests.Server()
        var r = try await Self.python(client, first, ["commit"])
        #expect(r.status == 0 && r.stdout.contains("OK commit"), "\(r.stdout)\n\(r.stderr.suffix(2000))")
        #expect(first.stop() == 0)
        let second = try KafkaListenerTests.Server(dataDirectory: first.dir)
        r = try await Self.python(client, second, ["resume"])
        #expect(r.status == 0 && r.stdout.contains("OK resume"), "\(r.stdout)\n\(r.stderr.suffix(2000))")
        #expect(second.stop() == 0)
    }

    /// A `kcat -G` member writing what it reads to a file (`-u`: unbuffered) and its rebalance
    /// notes to another; SIGTERM makes it leave the group cleanly, committing what it read.
    final class KcatMember {
        let process: SpawnedProcess
        var out: String { process.out }
        var err: String { process.err }

        init(_ server: KafkaListenerTests.Server, group: String, topic: String, name: String) throws {
            process = try SpawnedProcess(["/usr/bin/kcat", "-b", server.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
                                          "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100",
                                          "-X", "session.timeout.ms=10000", "-u", "-f", "%p %s\n", topic],
                                         out: server.dir.path + "/kcat-\(name).out", err: server.dir.path + "/kcat-\(name).err")
        }

        var records: [(partition: Int32, value: String)] {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let p = Int32(parts[0]) else { return nil }
                return (p, String(parts[1]))
            }
        }

        /// The partitions of its latest "assigned:" note, empty after a later "revoked:".
        var assigned: Set<Int32> {
            let notes = ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains("rebalanced") }
            guard let last = notes.last, let r = last.range(of: "assigned: ") else { return [] }
            return Set(last[r.upperBound...].split(separator: ",").compactMap { item in
                item.split(separator: "[").last.flatMap { Int32($0.dropLast().trimmingCharacters(in: .whitespaces)) }
            })
        }

        func stop() { process.stop() }
    }

    static func waitUntil(_ what: String, timeout: TimeInterval = 60, _ condition: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while await !condition() {
            guard Date() < deadline else { throw TmuxError("timed out after \(Int(timeout)) s waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Three `kcat -G` members split six partitions; one leaves while records are flowing and
    /// the other two take its partitions over. librdkafka with auto-commit commits the offsets it
    /// handed to kcat when partitions are revoked and when it closes, so every record is printed
    /// exactly once across the rebalance.
    @Test func kcatGroupOfThreeSplitsRebalancesAndLosesOrDuplicatesNothing() async throws {
        let dir = TempDir()
        let create = try await WharfProcess.run(["topic", "create", "kg", "--partitions", "6", "--data", dir.path])
        #expect(create.status == 0, "\(create.stderr)")
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let members = try ["a", "b", "c"].map { try KcatMember(server, group: "kg3", topic: "kg", name: $0) }
        defer { members.forEach { $0.stop() } }
        func split(_ ms: [KcatMember]) -> Bool {
            let sets = ms.map(\.assigned)
            return sets.allSatisfy { !$0.isEmpty } && sets.reduce(0) { $0 + $1.count } == 6 && sets.reduce(Set()) { $0.union($1) } == Set(0..<6)
        }
        try await Self.waitUntil("three members to split six partitions") { split(members) }
        let owners = members.map(\.assigned)
        func produce(_ phase: String) async throws {
            for p in 0..<6 {
                let lines = (0..<10).map { "\(phase)-\(p * 10 + $0)" }.joined(separator: "\n") + "\n"
                let r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "kg", "-P", "-p", "\(p)"], stdin: lines)
                #expect(r.status == 0, "\(r.stderr)")
            }
        }
        try await produce("A")
        let all = { members.flatMap(\.records) }
        try await Self.waitUntil("phase A consumed") { all().count >= 60 }
        for (m, owned) in zip(members, owners) {
            #expect(m.records.allSatisfy { owned.contains($0.partition) }, "a member read a partition it does not own")
        }
        // Phase B is written, and member c leaves while it is being consumed.
        try await produce("B")
        members[2].stop()
        try await Self.waitUntil("a and b to take over c's partitions") { split(Array(members[0..<2])) }
        try await produce("C")
        try await Self.waitUntil("all 180 records consumed") { all().count >= 180 }
        let values = all().map(\.value)
        let want = Set((0..<60).flatMap { i in ["A-\(i)", "B-\(i)", "C-\(i)"] })
        #expect(Set(values) == want, "missing: \(want.subtracting(values).sorted().prefix(5))")
        #expect(values.count == want.count, "duplicates: \(Dictionary(grouping: values, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted().prefix(5))")
    }
}

/// An operator's reset seen by a live Kafka consumer group: the dashboard (which embeds the
/// engine and the listener; a separate `wharf group reset` cannot open a data directory that a
/// running broker holds) replays the group to earliest while a real client is consuming; the
/// client's generation is fenced, it rejoins and reads everything again.
@Suite(.serialized, .endToEnd) struct KafkaLiveResetTests {
    /// Presses `r` on the selected group until its replay dialog opens (10 s apart): under load
    /// the list can show the group before its partitions are loaded, and `r` then says there is
    /// nothing to reset.
    static func openReplay(_ group: String, in tmux: Tmux) async throws {
        try await KafkaClientGroupTests.waitUntil("the replay dialog of \(group) to open") {
            try? await tmux.send("r")
            let end = Date().addingTimeInterval(10)
            while Date() < end {
                if (try? await tmux.screen())?.contains("Replay \(group)") == true { return true }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
    }

    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func aDashboardResetIsSeenByALiveClientGroup(client: String) async throws {
        let dir = TempDir()
        // Wide enough for the header to keep "kafka: ADDRESS" beside a long TMPDIR's data path.
        let tmux = try Tmux(command: [WharfProcess.binary, "--data", dir.path + "/data", "--kafka-listen", "127.0.0.1:0"], width: 180, height: 40,
                            environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
        var screen = try await tmux.waitFor { $0.range(of: #"kafka: 127\.0\.0\.1:\d+"#, options: .regularExpression) != nil }
        guard let r = screen.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            Issue.record("the dashboard shows no listener address: \(screen)")
            return
        }
        let bootstrap = String(screen[r])
        let script = KafkaClientGroupTests.clientsDirectory.appendingPathComponent("feature_checks.py").path
        let consumer = try SpawnedProcess(["python3", script, client, bootstrap, "p", "live-group"],
                                          out: dir.path + "/client.out", err: dir.path + "/client.err")
        try await KafkaClientGroupTests.waitUntil("the client to read and commit 6 records") {
            consumer.stdout.contains("READY") || consumer.stdout.contains("FAIL")
        }
        #expect(consumer.stdout.contains("READY"), "\(consumer.stdout)\(consumer.stderr.suffix(1500))")
        try await tmux.send("3")
        try await tmux.send("/")
        try await tmux.type("p-live-g")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("/p-live-g") && DashboardTmuxTests.lag(of: "p-live-g", in: $0) != nil }
        try await Self.openReplay("p-live-g", in: tmux)
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("RE-READ") && $0.contains("Reset to earliest") }
        #expect(screen.contains("Reset to earliest"), "\(screen)")
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("reset p-live-g on 1 partition(s)") }
        #expect(screen.contains("reset p-live-g on 1 partition(s)"), "\(screen)")
        #expect(try await consumer.exit() == 0, "\(consumer.stdout)\(consumer.stderr.suffix(1500))")
        #expect(consumer.stdout.contains("OK live-group"), "\(consumer.stdout)")
        try await tmux.send("q")
    }
}
