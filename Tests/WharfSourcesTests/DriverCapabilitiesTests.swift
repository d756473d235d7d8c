import Testing
import WharfDashboard
import WharfSources

/// What each source lets the dashboard do, read from the drivers themselves (the dashboard's own
/// tests use a copy of the cluster's set: `ClusterSourceTests.clusterCapabilities`).
@Suite struct DriverCapabilitiesTests {
    @Test func aClusterCannotFenceALiveGroupAndHasNoQueuesEventsOrProjections() {
        let cluster = ClusterDashboardDriver.capabilities(readOnly: false)
        #expect(cluster == [.reset, .undoReset, .purge, .browseRecords, .browseDeadLetters, .requeue, .purgeQueue, .manageTopics, .outboxControl])
        for engineOnly: SourceCapabilities in [.resetLiveGroups, .undoQueuePurge, .replayParked, .rebuildProjection] {
            #expect(!cluster.contains(engineOnly))
        }
        #expect(cluster.isSubset(of: .all))
    }

    @Test func readOnlyLeavesOnlyBrowsingOnACluster() {
        let readOnly = ClusterDashboardDriver.capabilities(readOnly: true)
        #expect(readOnly == [.browseRecords, .browseDeadLetters])
        #expect(readOnly.isDisjoint(with: .dangerous))
    }
}
