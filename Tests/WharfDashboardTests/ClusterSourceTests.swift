import Testing
@testable import WharfDashboard

/// What changes when the source is a remote Kafka cluster: no reset of a live group (it cannot
/// be fenced from here), unknown sizes, and an unreachable source shown, not hidden.
@Suite("A remote cluster source")
struct ClusterSourceTests {
    /// The set `KafkaClusterSource` declares (WharfAdmin's), not a copy of it.
    static let clusterCapabilities: SourceCapabilities = .kafkaCluster

    static func clusterState() -> DashboardState {
        var state = Fixture.state()
        state.capabilities = clusterCapabilities
        return state
    }

    @Test("a group with live members gets a plain refusal instead of the reset dialog")
    func liveGroupResetRefused() {
        var state = Self.clusterState()
        let effects = Fixture.press(&state, [.char("3"), .char("r")])   // analytics: 3 members
        #expect(effects.isEmpty)
        #expect(state.modal == nil)
        #expect(state.status?.isError == true)
        #expect(state.status?.text.hasPrefix("analytics: stop its 3 live members first") == true, "\(String(describing: state.status))")
        let canvas = Dashboard.render(state, width: 120, height: 24)
        #expect(canvas.lines.contains { $0.contains("cannot be fenced") })
    }

    @Test("a KIP-848 group (Stable, members not described) is refused too")
    func kip848GroupResetRefused() {
        var state = Self.clusterState()
        var snap = state.snapshot
        let i = snap.groups.firstIndex { $0.name == "analytics" }!
        snap.groups[i].members = []
        snap.timeMs += 1000
        _ = state.update(.tick(snap))
        Fixture.press(&state, [.char("3"), .char("r")])
        #expect(state.modal == nil)
        #expect(state.status?.text.hasPrefix("analytics is Stable: stop its consumers first") == true, "\(String(describing: state.status))")
    }

    @Test("an empty group opens the reset dialog on a cluster; the engine resets live groups too")
    func emptyGroupResets() {
        var state = Self.clusterState()
        var snap = state.snapshot
        let i = snap.groups.firstIndex { $0.name == "analytics" }!
        snap.groups[i].members = []
        snap.groups[i].state = "Empty"
        snap.timeMs += 1000
        _ = state.update(.tick(snap))
        Fixture.press(&state, [.char("3"), .char("r")])
        guard case .reset(let d)? = state.modal else { Issue.record("no reset dialog for an empty group"); return }
        #expect(d.group == "analytics")

        var embedded = Fixture.state()
        Fixture.press(&embedded, [.char("3"), .char("r")])
        guard case .reset? = embedded.modal else { Issue.record("the engine fences live groups: the dialog must open"); return }
    }

    @Test("an unreachable source says so in the header and the status row until it answers")
    func unreachableSourceIsShown() {
        var state = Self.clusterState()
        var snap = state.snapshot
        snap.sourceProblem = SourceProblem(badge: "OFFLINE", text: "cannot reach 10.0.0.5:9092: connection refused · try 2")
        _ = state.update(.tick(snap))
        var lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines[0].contains("OFFLINE"), "\(lines[0])")
        #expect(lines[1].contains("cannot reach 10.0.0.5:9092: connection refused"), "\(lines[1])")

        // A key's message shows first, and still expires although the snapshots repeat.
        Fixture.press(&state, [.char("3"), .char("r")])
        #expect(state.status != nil && state.modal == nil)
        for _ in 0..<6 { _ = state.update(.tick(snap)) }
        #expect(state.status == nil)
        lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines[1].contains("cannot reach"), "\(lines[1])")

        snap.sourceProblem = nil
        snap.timeMs += 1000
        _ = state.update(.tick(snap))
        lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(!lines[0].contains("OFFLINE") && !lines[1].contains("cannot reach"))
    }

    @Test("topic detail shows each partition's leader on a cluster, and 'none' for an offline one")
    func leaders() {
        var state = Self.clusterState()
        var snap = state.snapshot
        let i = snap.topics.firstIndex { $0.name == "orders" }!
        for j in snap.topics[i].partitions.indices { snap.topics[i].partitions[j].leader = Int32(j % 2) }
        snap.topics[i].partitions[0].leader = -1
        snap.timeMs += 1000
        _ = state.update(.tick(snap))
        Fixture.press(&state, [.char("2"), .char("/")] + Fixture.type("orders") + [.enter, .enter])
        let lines = Dashboard.render(state, width: 120, height: 30).lines
        #expect(lines.contains { $0.contains("LEADER") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("none") })
        // The engine has no leaders: no column.
        var embedded = Fixture.state()
        Fixture.press(&embedded, [.char("2"), .char("/")] + Fixture.type("orders") + [.enter, .enter])
        #expect(!Dashboard.render(embedded, width: 120, height: 30).lines.contains { $0.contains("LEADER") })
    }

    @Test("under-replicated and offline partitions: ISR per partition, the topic's risk, the overview's count")
    func replicationHealth() {
        var state = Self.clusterState()
        var snap = state.snapshot
        let i = snap.topics.firstIndex { $0.name == "orders" }!
        for j in snap.topics[i].partitions.indices {
            snap.topics[i].partitions[j].leader = Int32(j % 3)
            snap.topics[i].partitions[j].replicas = 3
            snap.topics[i].partitions[j].inSyncReplicas = 3
        }
        snap.topics[i].partitions[1].inSyncReplicas = 2
        snap.timeMs += 1000
        _ = state.update(.tick(snap))

        // Overview: the count comes first on the totals line, even at 80 columns.
        var lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines.contains { $0.contains("Cluster  1 under-replicated · ") }, "\(lines.joined(separator: "\n"))")
        #expect(!lines.contains { $0.contains("offline") })
        // Topics: the RISK column says URP.
        Fixture.press(&state, [.char("2")])
        lines = Dashboard.render(state, width: 120, height: 30).lines
        #expect(lines.first { $0.contains(" orders ") }?.hasSuffix("URP") == true || lines.first { $0.contains(" orders ") }?.contains(" URP") == true,
                "\(lines.joined(separator: "\n"))")
        // Topic detail: ISR 2/3 on partition 1, 3/3 elsewhere.
        Fixture.press(&state, [.char("/")] + Fixture.type("orders") + [.enter, .enter])
        lines = Dashboard.render(state, width: 120, height: 30).lines
        #expect(lines.contains { $0.contains("ISR") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.filter { $0.contains(" 2/3") }.count == 1 && lines.contains { $0.contains(" 3/3") }, "\(lines.joined(separator: "\n"))")

        // A partition without a leader: offline, the worst risk, counted first.
        snap.topics[i].partitions[0].leader = -1
        snap.topics[i].partitions[0].inSyncReplicas = 0
        snap.timeMs += 1000
        _ = state.update(.tick(snap))
        lines = Dashboard.render(state, width: 120, height: 30).lines
        #expect(lines.contains { $0.contains(" 0/3") && $0.contains("none") }, "\(lines.joined(separator: "\n"))")
        Fixture.press(&state, [.escape, .escape, .char("1")])
        lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines.contains { $0.contains("Cluster  1 offline · 2 under-replicated · ") }, "\(lines.joined(separator: "\n"))")
        #expect(TopicsView.riskCell(snap.topics[i], .lost).text == "OFFL")

        // The engine has no replicas: nothing of this is shown.
        var embedded = Fixture.state()
        #expect(!Dashboard.render(embedded, width: 80, height: 24).lines.contains { $0.contains("under-replicated") })
        Fixture.press(&embedded, [.char("2"), .char("/")] + Fixture.type("orders") + [.enter, .enter])
        #expect(!Dashboard.render(embedded, width: 120, height: 30).lines.contains { $0.contains("ISR") })
    }

    @Test("the overview shows the log volume's free space, and warns first when it runs low")
    func diskSpace() {
        var state = Self.clusterState()
        var snap = state.snapshot
        func overviewLine(_ disk: DiskSnapshot?, width: Int = 120) -> (text: String, role: StyleRole?) {
            snap.disk = disk
            snap.timeMs += 1000
            _ = state.update(.tick(snap))
            let canvas = Dashboard.render(state, width: width, height: 30)
            guard let y = canvas.lines.firstIndex(where: { $0.contains("Cluster  ") }) else { return ("", nil) }
            let line = canvas.line(y)
            let at = line.range(of: "disk ").map { line.distance(from: line.startIndex, to: $0.lowerBound) }
            return (line, at.map { canvas[$0, y].role })
        }
        let gib: Int64 = 1 << 30
        var (line, role) = overviewLine(DiskSnapshot(totalBytes: 100 * gib, freeBytes: 40 * gib, location: "broker 1"))
        #expect(line.hasSuffix("size · 40 GiB free (40%)") || line.contains("size · 40 GiB free (40%)"), "\(line)")
        #expect(!line.contains("disk "))
        // At 80 columns it does not fit after the totals: left out rather than cut.
        (line, _) = overviewLine(DiskSnapshot(totalBytes: 100 * gib, freeBytes: 40 * gib, location: "broker 1"), width: 60)
        #expect(!line.contains("free"), "\(line)")
        (line, role) = overviewLine(DiskSnapshot(totalBytes: 100 * gib, freeBytes: 9 * gib, location: "broker 1"), width: 80)
        #expect(line.contains("Cluster  disk 9% free on broker 1 · "), "\(line)")
        #expect(role == .warning)
        (line, role) = overviewLine(DiskSnapshot(totalBytes: 100 * gib, freeBytes: 4 * gib), width: 80)
        #expect(line.contains("Cluster  disk 4% free · "), "\(line)")
        #expect(role == .critical)
        (line, _) = overviewLine(nil)
        #expect(!line.contains("free"), "\(line)")
    }

    @Test("the Brokers view (8): leaders, copies out of sync and disk per broker; sortable and filterable")
    func brokersView() {
        var state = Self.clusterState()
        var snap = state.snapshot
        let gib: Int64 = 1 << 30
        snap.brokers = [
            BrokerSnapshot(id: 1, address: "kafka-1:9092", isController: false, leaderPartitions: 40, replicas: 90, outOfSync: 0,
                           disk: DiskSnapshot(totalBytes: 100 * gib, freeBytes: 60 * gib, location: "broker 1")),
            BrokerSnapshot(id: 2, address: "kafka-2:9092", isController: true, leaderPartitions: 12, replicas: 90, outOfSync: 7,
                           disk: DiskSnapshot(totalBytes: 100 * gib, freeBytes: 3 * gib, location: "broker 2")),
            BrokerSnapshot(id: 3, address: "kafka-3:9092", isController: false, leaderPartitions: 38, replicas: 90, outOfSync: 0),
        ]
        snap.timeMs += 1000
        _ = state.update(.tick(snap))
        Fixture.press(&state, [.char("8")])
        var canvas = Dashboard.render(state, width: 80, height: 24)
        var lines = canvas.lines
        #expect(lines[1].contains("Overview › Brokers"), "\(lines.joined(separator: "\n"))")
        let rows = lines.filter { $0.contains("kafka-") }
        #expect(rows.count == 3 && rows[0].contains("kafka-1:9092") && rows[1].contains("controller"), "\(lines.joined(separator: "\n"))")
        #expect(rows[1].contains(" 7 ") && rows[1].contains("3 GiB") && rows[1].contains("3%"), "\(rows[1])")
        #expect(rows[2].split(separator: " ").last == "-", "no disk report: '-' \(rows[2])")
        // 3% free is critical, 7 copies out of sync a warning.
        let y = lines.firstIndex { $0.contains("kafka-2") }!
        let pct = lines[y].range(of: "3%").map { lines[y].distance(from: lines[y].startIndex, to: $0.lowerBound) }!
        #expect(canvas[pct, y].role == .critical)

        // L sorts by leaders, most first; a filter narrows by id or address.
        Fixture.press(&state, [.char("L")])
        lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines.filter { $0.contains("kafka-") }.map { $0.contains("kafka-1") ? 1 : $0.contains("kafka-3") ? 3 : 2 } == [1, 3, 2])
        Fixture.press(&state, [.char("/")] + Fixture.type("kafka-3") + [.enter])
        canvas = Dashboard.render(state, width: 80, height: 24)
        #expect(canvas.lines.filter { $0.contains("kafka-") && $0.contains(":9092") }.map { $0.contains("kafka-3") } == [true], "\(canvas.lines.joined(separator: "\n"))")

        // A broker that is down: OFFLINE in its row, and counted first in the overview.
        snap.brokers.append(BrokerSnapshot(id: 4, address: "(not in the cluster's metadata)", isController: false, leaderPartitions: 0,
                                           replicas: 30, outOfSync: 30, isOnline: false))
        snap.timeMs += 1000
        _ = state.update(.tick(snap))
        Fixture.press(&state, [.escape, .char("8")])
        lines = Dashboard.render(state, width: 100, height: 24).lines
        #expect(lines.contains { $0.contains("OFFLINE") && $0.contains(" 30 ") }, "\(lines.joined(separator: "\n"))")
        Fixture.press(&state, [.char("1")])
        lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines.contains { $0.contains("Cluster  1 broker down · ") }, "\(lines.joined(separator: "\n"))")

        // The palette opens it too.
        var other = Self.clusterState()
        _ = other.update(.tick(snap))
        Fixture.press(&other, [.char(":")] + Fixture.type("brokers") + [.enter])
        #expect(other.current.id == .brokers)
    }

    @Test("sizes the protocol cannot give show as '-', not 0 B")
    func unknownSizes() {
        let topic = TopicSnapshot(name: "t", partitions: [PartitionSnapshot(partition: 0, logStart: 0, logEnd: 5, sizeBytes: PartitionSnapshot.unknownSize),
                                                          PartitionSnapshot(partition: 1, logStart: 0, logEnd: 5, sizeBytes: 100)])
        #expect(topic.sizeBytes == PartitionSnapshot.unknownSize)
        #expect(Format.size(topic.sizeBytes) == "-")
        #expect(Format.size(2048) == "2 KiB")
    }
}
