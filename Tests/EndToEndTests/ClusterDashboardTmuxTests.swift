import Foundation
import Testing

/// `wharf --bootstrap`: the dashboard attached to a running `wharf serve` over the Kafka
/// protocol only, driven in tmux, checked against the embedded CLI on the same data and against
/// a real kafka-python consumer.
@Suite(.serialized, .endToEnd) struct ClusterDashboardTmuxTests {
    static func dashboard(_ bootstrap: String, width: Int = 120, height: Int = 40) throws -> Tmux {
        try Tmux(command: [WharfProcess.binary, "--bootstrap", bootstrap], width: width, height: height,
                 environment: ["WHARF_THEMES": FileManager.default.currentDirectoryPath + "/themes"])
    }

    /// Runs one step of `cluster_checks.py` with kafka-python and returns its output.
    static func python(_ step: String, _ bootstrap: String, topic: String, group: String, _ extra: [String] = []) async throws -> WharfProcess.Result {
        try await WharfProcess.run([KafkaClientGroupTests.clientsDirectory.appendingPathComponent("cluster_checks.py").path, step, bootstrap, topic, group] + extra,
                             executable: "/usr/bin/env", prefix: ["python3"])
    }

    /// The cells of the first screen line that starts with `name`.
    static func row(_ name: String, in screen: String) -> [String]? {
        for line in screen.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if cells.first == name { return cells }
        }
        return nil
    }

    struct GroupRow: Decodable { let group: String; let state: String; let totalLag: Int64 }
    struct TopicRow: Decodable {
        struct Partition: Decodable { let logStartOffset: Int64; let logEndOffset: Int64; let sizeBytes: Int64 }
        let name: String
        let partitions: [Partition]
        var records: Int64 { partitions.reduce(0) { $0 + $1.logEndOffset - $1.logStartOffset } }
        var sizeBytes: Int64 { partitions.reduce(0) { $0 + $1.sizeBytes } }
    }

    @Test func theAttachedDashboardShowsWhatTheEmbeddedCLIReports() async throws {
        let dir = TempDir()
        let data = ["--data", dir.path]
        #expect(try await WharfProcess.run(["topic", "create", "orders", "--partitions", "3"] + data).status == 0)
        #expect(try await WharfProcess.run(["topic", "create", "audit", "--partitions", "1"] + data).status == 0)
        let lines = (0..<300).map { "customer-\($0 % 17):order \($0)" }.joined(separator: "\n") + "\n"
        #expect(try await WharfProcess.run(["produce", "orders", "--key-separator", ":"] + data, stdin: lines).status == 0)
        #expect(try await WharfProcess.run(["produce", "audit"] + data, stdin: "a\nb\nc\n").status == 0)
        #expect(try await WharfProcess.run(["consume", "orders", "--group", "billing", "--max", "120"] + data).status == 0)
        #expect(try await WharfProcess.run(["consume", "orders", "--group", "analytics", "--max", "31"] + data).status == 0)
        let groups = try JSONDecoder().decode([GroupRow].self, from: Data(try await WharfProcess.run(["group", "list", "--json"] + data).stdout.utf8))
        let topics = try JSONDecoder().decode([TopicRow].self, from: Data(try await WharfProcess.run(["topic", "list", "--json"] + data).stdout.utf8))
        #expect(groups.count == 2 && topics.count == 2, "\(groups) \(topics)")

        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let tmux = try Self.dashboard(server.bootstrap)
        var screen = try await tmux.waitFor { $0.contains("kafka \(server.bootstrap) · 1 broker") && $0.contains("billing") && $0.contains("analytics") }
        #expect(!screen.contains("OFFLINE"), "\(screen)")

        try await tmux.send("3")
        func matches(_ g: GroupRow, _ screen: String) -> Bool {
            let cells = Self.row(g.group, in: screen) ?? []
            return cells.count >= 4 && cells[1] == g.state && DashboardTmuxTests.parseCount(cells[3]) == Int(g.totalLag)
        }
        screen = try await tmux.waitFor { s in s.contains("Overview › Groups") && groups.allSatisfy { matches($0, s) } }
        for g in groups {
            let cells = Self.row(g.group, in: screen) ?? []
            #expect(cells.count >= 4 && cells[1] == g.state && DashboardTmuxTests.parseCount(cells[3]) == Int(g.totalLag),
                    "\(g.group): the CLI says \(g.state), lag \(g.totalLag); the dashboard shows \(cells)\n\(screen)")
        }

        // Group detail: committed offsets per partition, as over the embedded engine.
        try await tmux.send("/")
        try await tmux.type("billing")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("/billing") }
        try await tmux.send("Enter")
        let described = try await WharfProcess.run(["group", "describe", "billing", "--bootstrap", server.bootstrap]).stdout
        // TOPIC PARTITION COMMITTED LOG-END LAG ... per line of the CLI; the same three first cells on screen.
        let expected = described.split(separator: "\n").filter { $0.hasPrefix("orders") }.map { $0.split(separator: " ").prefix(3).map(String.init) }
        #expect(expected.count == 3, "\(described)")
        func showsAll(_ screen: String) -> Bool {
            let lines = screen.split(separator: "\n").map { $0.split(separator: " ").prefix(3).map(String.init) }
            return expected.allSatisfy { lines.contains($0) }
        }
        // Wait for the whole table: a capture can land while curses is still drawing the frame.
        screen = try await tmux.waitFor { $0.contains("Groups › billing") && $0.contains("COMMITTED") && showsAll($0) }
        #expect(showsAll(screen), "the CLI's rows \(expected) are not all on screen:\n\(screen)")

        try await tmux.send("Escape")
        try await tmux.send("Escape")
        try await tmux.send("2")
        func shows(_ t: TopicRow, _ screen: String) -> Bool {
            let cells = Self.row(t.name, in: screen) ?? []
            return cells.count >= 3 && cells[1] == "\(t.partitions.count)" && DashboardTmuxTests.parseCount(cells[2]) == Int(t.records)
        }
        screen = try await tmux.waitFor { s in s.contains("Overview › Topics") && topics.allSatisfy { shows($0, s) } }
        for t in topics {
            let cells = Self.row(t.name, in: screen) ?? []
            #expect(cells.count >= 3 && cells[1] == "\(t.partitions.count)" && DashboardTmuxTests.parseCount(cells[2]) == Int(t.records),
                    "\(t.name): the CLI says \(t.partitions.count) partitions, \(t.records) records; the dashboard shows \(cells)\n\(screen)")
        }
        // Sizes over the wire (DescribeLogDirs) are the bytes the embedded CLI reports: audit's
        // three records are under 1 KiB, so its SIZE cell is exact.
        let audit = try #require(topics.first { $0.name == "audit" })
        #expect(audit.sizeBytes > 0 && audit.sizeBytes < 1024)
        #expect(Self.row("audit", in: screen).map { Array($0[3...4]) } == ["\(audit.sizeBytes)", "B"], "\(screen)")
        // kafka-python's DescribeLogDirs reads the same bytes per partition.
        let orders = try #require(topics.first { $0.name == "orders" })
        let sizes = try await Self.python("sizes", server.bootstrap, topic: "orders", group: "-")
        #expect(sizes.status == 0, "\(sizes.stdout)\(sizes.stderr.suffix(1500))")
        #expect(sizes.lines.filter { $0.hasPrefix("SIZE ") }.sorted() == orders.partitions.enumerated().map { "SIZE \($0.offset) \($0.element.sizeBytes)" },
                "\(sizes.stdout)")

        // Brokers (8): the one broker, its address as Metadata gives it, the controller, leading
        // every partition (orders 3, audit 1, __consumer_offsets 1), with its disk.
        try await tmux.send("8")
        screen = try await tmux.waitFor { $0.contains("Overview › Brokers") && $0.contains(server.bootstrap) }
        let broker = Self.row("0", in: screen) ?? []
        #expect(broker.count >= 7 && broker[1] == server.bootstrap && broker[2] == "controller" && broker[3] == "5" && broker[5] == "0",
                "\(screen)")
        #expect(broker.last?.hasSuffix("%") == true, "the broker's disk: \(screen)")
        try await tmux.send("2")
        _ = try await tmux.waitFor { $0.contains("Overview › Topics") }

        // Records browser over Fetch: the first record of audit/0.
        try await tmux.send("/")
        try await tmux.type("audit")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("/audit") }
        try await tmux.send("Enter")
        // Partition detail on a cluster: the leader and the replicas in sync (wharf serve is one
        // broker: 1/1).
        screen = try await tmux.waitFor { $0.contains("Topics › audit") && $0.contains("ISR") }
        #expect(screen.split(separator: "\n").contains { $0.contains(" 1/1") }, "\(screen)")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("audit") && $0.contains("OFFSET") && $0.contains(" a") && $0.contains(" c") }
        #expect(screen.contains(" b"), "\(screen)")

        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }

    @Test func resetOfAnEmptyGroupAndPurgeOverTheWireAreSeenByKafkaPython() async throws {
        let server = try KafkaListenerTests.Server()
        defer { _ = server.stop() }
        var r = try await Self.python("prime", server.bootstrap, topic: "replay", group: "readers", ["10"])
        #expect(r.status == 0 && r.stdout.contains("OK prime"), "\(r.stdout)\(r.stderr.suffix(1500))")

        let tmux = try Self.dashboard(server.bootstrap)
        try await tmux.send("3")
        var screen = try await tmux.waitFor { Self.row("readers", in: $0)?.count ?? 0 >= 4 && $0.contains("Overview › Groups") }
        #expect(Self.row("readers", in: screen)?[1] == "Empty", "\(screen)")

        // Replay to offset 4: choose "offset", type it, review the plan, confirm.
        try await tmux.send("r")
        _ = try await tmux.waitFor { $0.contains("Replay readers: reset offsets") }
        try await tmux.send("Down")
        try await tmux.send("Down")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("Replay readers: offset") }
        try await tmux.type("4")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("Reset to offset 4") && $0.contains("RE-READ") && $0.contains("6 records to re-read") }
        #expect(screen.contains("6 records to re-read"), "\(screen)")
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("reset readers on 1 partition(s): 6 records to re-read") }
        #expect(screen.contains("6 records to re-read"), "\(screen)")

        r = try await Self.python("first", server.bootstrap, topic: "replay", group: "readers")
        #expect(r.stdout.contains("FIRST 4 v4"), "kafka-python in the reset group: \(r.stdout)\(r.stderr.suffix(1500))")

        // Undo puts the offsets the reset replaced back (the group is still empty).
        try await tmux.send("u")
        _ = try await tmux.waitFor { $0.contains("Undo reset") && $0.contains("y = undo") }
        try await tmux.send("y")
        screen = try await tmux.waitFor { $0.contains("undid the last reset of readers (1 partition(s) restored)") }
        #expect(screen.contains("undid the last reset of readers"), "\(screen)")
        let described = try await WharfProcess.run(["group", "describe", "readers", "--bootstrap", server.bootstrap]).stdout
        #expect(described.split(separator: "\n").contains { $0.split(separator: " ").prefix(3) == ["replay", "0", "10"] }, "\(described)")

        // Purge below offset 7 (DeleteRecords): a new group starting from earliest begins there.
        try await tmux.send("2")
        try await tmux.send("/")
        try await tmux.type("replay")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("/replay") && Self.row("replay", in: $0) != nil }
        try await tmux.send("x")
        _ = try await tmux.waitFor { $0.contains("Purge replay") && $0.contains("below offset") }
        try await tmux.send("BSpace", "BSpace", "BSpace")
        try await tmux.type("7")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("will be deleted") && $0.contains("7 records") }
        #expect(screen.contains("7 records"), "\(screen)")
        try await tmux.type("purge")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("purged 7 records from replay/0; log start is now 7") }
        #expect(screen.contains("log start is now 7"), "\(screen)")

        r = try await Self.python("first", server.bootstrap, topic: "replay", group: "newcomers")
        #expect(r.stdout.contains("FIRST 7 v7"), "kafka-python from earliest after the purge: \(r.stdout)\(r.stderr.suffix(1500))")
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit") }
    }

    @Test func aGroupWithLiveMembersRefusesTheRemoteResetPlainly() async throws {
        let server = try KafkaListenerTests.Server()
        defer { _ = server.stop() }
        let r = try await Self.python("prime", server.bootstrap, topic: "busy", group: "workers", ["3"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr.suffix(1500))")
        let dir = TempDir()
        let member = try SpawnedProcess(["python3", KafkaClientGroupTests.clientsDirectory.appendingPathComponent("cluster_checks.py").path,
                                         "hold", server.bootstrap, "busy", "workers"],
                                        out: dir.path + "/hold.out", err: dir.path + "/hold.err")
        defer { _ = member.stop() }
        try await KafkaClientGroupTests.waitUntil("the kafka-python member to join") { member.stdout.contains("READY") || member.stdout.contains("FAIL") }
        #expect(member.stdout.contains("READY"), "\(member.stdout)\(member.stderr.suffix(1500))")

        let tmux = try Self.dashboard(server.bootstrap)
        try await tmux.send("3")
        var screen = try await tmux.waitFor { Self.row("workers", in: $0)?[1] == "Stable" }
        #expect(Self.row("workers", in: screen)?[2] == "1", "\(screen)")
        try await tmux.send("r")
        screen = try await tmux.waitFor { $0.contains("workers: stop its 1 live member first; a remote group cannot be fenced") }
        #expect(screen.contains("a remote group cannot be fenced"), "\(screen)")
        #expect(!screen.contains("Replay workers"), "no reset dialog may open for a live group: \(screen)")
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit") }
    }

    @Test func topicsCreatedAndDeletedFromTheDashboardChangeTheBroker() async throws {
        let server = try KafkaListenerTests.Server()
        defer { _ = server.stop() }
        let tmux = try Self.dashboard(server.bootstrap)
        try await tmux.send("2")
        _ = try await tmux.waitFor { $0.contains("Overview › Topics") && !$0.contains("connecting to") }
        try await tmux.send("n")
        _ = try await tmux.waitFor { $0.contains("New topic") && $0.contains("Name (letters") }
        try await tmux.type("made-here")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("Partitions:") }
        try await tmux.send("BSpace")
        try await tmux.type("5")
        try await tmux.send("Enter")
        var screen = try await tmux.waitFor { $0.contains("created topic made-here with 5 partitions") && Self.row("made-here", in: $0)?[1] == "5" }
        #expect(Self.row("made-here", in: screen)?[1] == "5", "\(screen)")
        var described = try await WharfProcess.run(["topic", "describe", "made-here", "--bootstrap", server.bootstrap])
        #expect(described.status == 0 && described.stdout.contains("5 partitions"), "\(described.stdout)\(described.stderr)")

        try await tmux.send("/")
        try await tmux.type("made-here")
        try await tmux.send("Enter")
        _ = try await tmux.waitFor { $0.contains("/made-here") }
        try await tmux.send("D")
        _ = try await tmux.waitFor { $0.contains("Delete made-here") && $0.contains("Type the topic's name") }
        try await tmux.type("made-here")
        try await tmux.send("Enter")
        screen = try await tmux.waitFor { $0.contains("deleted topic made-here") && Self.row("made-here", in: $0) == nil }
        #expect(Self.row("made-here", in: screen) == nil, "\(screen)")
        described = try await WharfProcess.run(["topic", "describe", "made-here", "--bootstrap", server.bootstrap])
        #expect(described.status != 0 && described.stderr.contains("unknown topic"), "\(described.stdout)\(described.stderr)")
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit") }
    }

    @Test func anUnreachableClusterKeepsTheDashboardRetryingUntilItAnswers() async throws {
        // A port nothing listens on: take one from a broker, then stop it.
        let first = try KafkaListenerTests.Server()
        let port = first.port
        _ = first.stop()

        let tmux = try Self.dashboard("127.0.0.1:\(port)", width: 80, height: 24)
        var screen = try await tmux.waitFor { $0.contains("OFFLINE") && $0.contains("cannot reach 127.0.0.1:\(port): connection refused · try ") }
        #expect(screen.contains("OFFLINE") && screen.contains("connection refused · try "), "\(screen)")
        screen = try await tmux.waitFor { $0.contains("connection refused · try 3") }
        #expect(screen.contains("connection refused · try 3"), "it keeps retrying, once per refresh: \(screen)")
        #expect(!screen.contains("[exit"), "the dashboard must not exit: \(screen)")

        // The broker comes up on that port: the next refresh attaches, and the banner goes.
        let server = try KafkaListenerTests.Server(extra: ["--listen", "127.0.0.1:\(port)", "--auto-create-topics"])
        defer { _ = server.stop() }
        #expect(try await WharfProcess.run(["topic", "create", "late-topic", "--bootstrap", server.bootstrap]).status == 0)
        screen = try await tmux.waitFor { !$0.contains("OFFLINE") && $0.contains("late-topic") }
        #expect(!screen.contains("OFFLINE") && !screen.contains("cannot reach"), "\(screen)")
        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }
}
