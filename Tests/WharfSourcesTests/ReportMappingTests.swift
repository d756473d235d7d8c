import Testing
import WharfAdmin
import WharfCore
import WharfDashboard
import WharfSources

/// The one place report types become the dashboard's snapshots and back.
@Suite struct ReportMappingTests {
    @Test(arguments: [
        (ResetSpec.earliest, OffsetResetSpec.earliest), (.latest, .latest), (.offset(42), .offset(42)),
        (.datetime(1_700_000_000_000), .datetime(1_700_000_000_000)), (.shiftBy(-5), .shiftBy(-5)), (.duration(60_000), .byDuration(60_000)),
    ])
    func everyDashboardSpecPlansTheSameReset(_ dashboard: ResetSpec, _ admin: OffsetResetSpec) {
        #expect(OffsetResetSpec(dashboard) == admin)
    }

    @Test func aPlanRowSurvivesTheRoundTripThroughTheDialog() {
        for row in [WharfAdmin.ResetPlanRow(topic: "orders", partition: 2, currentOffset: 150, newOffset: 100, recordsToReread: 50),
                    WharfAdmin.ResetPlanRow(topic: "orders", partition: 0, currentOffset: nil, newOffset: 7, recordsToReread: -7)] {
            #expect(WharfAdmin.ResetPlanRow(WharfDashboard.ResetPlanRow(row)) == row)
        }
    }

    @Test func aGroupsPartitionsAreOwnedByTheMembersTheyAreAssignedTo() {
        let rows = (0..<3).map {
            PartitionLag(topic: "orders", partition: Int32($0), committedOffset: 5, logStartOffset: 0, logEndOffset: 10, timeLagMs: 700, owner: nil)
        }
        let members: [GroupSnapshot.Member] = [("m-1", "billing", "/10.0.0.1", [TopicPartition("orders", 0), TopicPartition("orders", 2)])]
        let group = GroupSnapshot(name: "billing", state: "Stable", members: members, rows: rows) { $0.partition == 1 ? nil : $0.timeLagMs }
        #expect(group.members == [GroupMember(memberId: "m-1", clientId: "billing", host: "/10.0.0.1",
                                              assigned: [TopicPartitionRef(topic: "orders", partition: 0), TopicPartitionRef(topic: "orders", partition: 2)])])
        #expect(group.partitions.map(\.owner) == ["m-1", nil, "m-1"])
        #expect(group.partitions.map(\.timeLagMs) == [700, nil, 700])
        #expect(group.partitions.map(\.lag) == [5, 5, 5])
    }

    @Test func aBrokerDescriptionBecomesTheBrokersViewRow() {
        let up = BrokerDescription(id: 2, address: "10.0.0.2:9092", isController: true, leaderPartitions: 4, replicas: 9, outOfSync: 1,
                                   volume: .init(totalBytes: 1_000, usableBytes: 99))
        #expect(BrokerSnapshot(up, diskLocation: "broker 2") == BrokerSnapshot(
            id: 2, address: "10.0.0.2:9092", isController: true, leaderPartitions: 4, replicas: 9, outOfSync: 1,
            disk: DiskSnapshot(totalBytes: 1_000, freeBytes: 99, location: "broker 2")))
        #expect(up.volume?.freePercent == DiskSnapshot(totalBytes: 1_000, freeBytes: 99).freePercent)
        let down = BrokerDescription(id: 3, address: "?", isController: false, isOnline: false, leaderPartitions: 0, replicas: 2, outOfSync: 2)
        #expect(BrokerSnapshot(down, diskLocation: nil).isOnline == false)
        #expect(BrokerSnapshot(down, diskLocation: nil).disk == nil)
        let embedded = BrokerSnapshot(.embedded(partitions: 12, volume: nil), diskLocation: nil)
        #expect(embedded.leaderPartitions == 12 && embedded.replicas == 12 && embedded.outOfSync == 0 && embedded.isController)
    }
}
