import Foundation
import Testing

/// Issue #6's per-client checks: a consumer group of three that rebalances without losing or
/// duplicating a record, committed offsets across a broker restart, offsets by timestamp, every
/// codec, the idempotent producer, DeleteRecords and topic admin, for kcat and the Python clients.
@Suite(.serialized) struct KafkaClientGroupTests {
    static var clientsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients")
    }

    /// Runs `feature_checks.py CLIENT BOOTSTRAP PREFIX CHECK...` (one Python process per client).
    static func python(_ client: String, _ server: KafkaListenerTests.Server, _ checks: [String]) throws -> WharfProcess.Result {
        try WharfProcess.run([clientsDirectory.appendingPathComponent("feature_checks.py").path, client, server.bootstrap, "p"] + checks,
                             executable: "/usr/bin/env", prefix: ["python3"])
    }

    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func pythonClientGroupRebalanceTimestampsCodecsIdempotenceDeleteRecordsAndAdmin(client: String) throws {
        let server = try KafkaListenerTests.Server()
        let checks = ["group", "timestamps", "codecs", "idempotent", "delete-records", "admin"]
        let r = try Self.python(client, server, checks)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr.suffix(2000))")
        for check in checks { #expect(r.stdout.contains("OK \(check)"), "\(client) \(check): \(r.stdout)") }
        #expect(server.stop() == 0)
    }

    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func pythonClientCommittedOffsetsSurviveABrokerRestart(client: String) throws {
        let first = try KafkaListenerTests.Server()
        var r = try Self.python(client, first, ["commit"])
        #expect(r.status == 0 && r.stdout.contains("OK commit"), "\(r.stdout)\n\(r.stderr.suffix(2000))")
        #expect(first.stop() == 0)
        let second = try KafkaListenerTests.Server(dataDirectory: first.dir)
        r = try Self.python(client, second, ["resume"])
        #expect(r.status == 0 && r.stdout.contains("OK resume"), "\(r.stdout)\n\(r.stderr.suffix(2000))")
        #expect(second.stop() == 0)
    }

    /// A `kcat -G` member writing what it reads to a file (`-u`: unbuffered) and its rebalance
    /// notes to another; SIGTERM makes it leave the group cleanly, committing what it read.
    /// Spawned with posix_spawn and an empty signal mask: children of the test process (Foundation
    /// Process) inherit its blocked SIGTERM and would never see the signal.
    final class KcatMember {
        let pid: pid_t
        let out: String
        let err: String
        private var exited = false

        init(_ server: KafkaListenerTests.Server, group: String, topic: String, name: String) throws {
            out = server.dir.path + "/kcat-\(name).out"
            err = server.dir.path + "/kcat-\(name).err"
            let argv = ["/usr/bin/kcat", "-b", server.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
                        "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100",
                        "-X", "session.timeout.ms=10000", "-u", "-f", "%p %s\n", topic]
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            var attr = posix_spawnattr_t()
            posix_spawnattr_init(&attr)
            defer { posix_spawnattr_destroy(&attr) }
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigmask(&attr, &none)
            var defaults = sigset_t()
            sigemptyset(&defaults)
            sigaddset(&defaults, SIGTERM)
            sigaddset(&defaults, SIGPIPE)
            posix_spawnattr_setsigdefault(&attr, &defaults)
            posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var cargs = argv.map { strdup($0) } + [nil]
            defer { for a in cargs { free(a) } }
            var child: pid_t = 0
            let rc = posix_spawn(&child, argv[0], &actions, &attr, &cargs, environ)
            guard rc == 0 else { throw TmuxError("cannot run kcat: \(String(cString: strerror(rc)))") }
            pid = child
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

        /// SIGTERM, then waits for kcat to close its consumer (leave the group, final commit).
        func stop() {
            guard !exited else { return }
            exited = true
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    static func waitUntil(_ what: String, timeout: TimeInterval = 60, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < deadline else { throw TmuxError("timed out after \(Int(timeout)) s waiting for \(what)") }
            usleep(50_000)
        }
    }

    /// Three `kcat -G` members split six partitions; one leaves while records are flowing and
    /// the other two take its partitions over. librdkafka with auto-commit commits the offsets it
    /// handed to kcat when partitions are revoked and when it closes, so every record is printed
    /// exactly once across the rebalance.
    @Test func kcatGroupOfThreeSplitsRebalancesAndLosesOrDuplicatesNothing() throws {
        let dir = TempDir()
        let create = try WharfProcess.run(["topic", "create", "kg", "--partitions", "6", "--data", dir.path])
        #expect(create.status == 0, "\(create.stderr)")
        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let members = try ["a", "b", "c"].map { try KcatMember(server, group: "kg3", topic: "kg", name: $0) }
        defer { members.forEach { $0.stop() } }
        func split(_ ms: [KcatMember]) -> Bool {
            let sets = ms.map(\.assigned)
            return sets.allSatisfy { !$0.isEmpty } && sets.reduce(0) { $0 + $1.count } == 6 && sets.reduce(Set()) { $0.union($1) } == Set(0..<6)
        }
        try Self.waitUntil("three members to split six partitions") { split(members) }
        let owners = members.map(\.assigned)
        func produce(_ phase: String) throws {
            for p in 0..<6 {
                let lines = (0..<10).map { "\(phase)-\(p * 10 + $0)" }.joined(separator: "\n") + "\n"
                let r = try KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "kg", "-P", "-p", "\(p)"], stdin: lines)
                #expect(r.status == 0, "\(r.stderr)")
            }
        }
        try produce("A")
        let all = { members.flatMap(\.records) }
        try Self.waitUntil("phase A consumed") { all().count >= 60 }
        for (m, owned) in zip(members, owners) {
            #expect(m.records.allSatisfy { owned.contains($0.partition) }, "a member read a partition it does not own")
        }
        // Phase B is written, and member c leaves while it is being consumed.
        try produce("B")
        members[2].stop()
        try Self.waitUntil("a and b to take over c's partitions") { split(Array(members[0..<2])) }
        try produce("C")
        try Self.waitUntil("all 180 records consumed") { all().count >= 180 }
        let values = all().map(\.value)
        let want = Set((0..<60).flatMap { i in ["A-\(i)", "B-\(i)", "C-\(i)"] })
        #expect(Set(values) == want, "missing: \(want.subtracting(values).sorted().prefix(5))")
        #expect(values.count == want.count, "duplicates: \(Dictionary(grouping: values, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted().prefix(5))")
    }
}
