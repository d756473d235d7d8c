import Foundation
import Logging
import Testing
import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfEngine
import WharfKafkaClient
import WharfSources

/// What each source lets the dashboard do, read from the sources themselves through the driver.
@Suite struct DriverCapabilitiesTests {
    static func clusterSource() -> KafkaClusterSource {
        KafkaClusterSource(client: KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: 9)]), clock: ManualClock())
    }

    @Test func aClusterCannotFenceALiveGroupAndHasNoQueuesEventsOrProjections() {
        let cluster = SourceDashboardDriver.capabilities(of: Self.clusterSource(), readOnly: false)
        #expect(cluster == [.reset, .undoReset, .purge, .browseRecords, .browseDeadLetters, .requeue, .purgeQueue, .manageTopics, .outboxControl,
                            .trace])
        #expect(cluster == .kafkaCluster)
        // A cluster has no audit log; it answers a trace with what it knows (records, commits, dead letters, requeues).
        for engineOnly: SourceCapabilities in [.resetLiveGroups, .undoQueuePurge, .replayParked, .rebuildProjection, .audit] {
            #expect(!cluster.contains(engineOnly))
        }
        #expect(cluster.subtracting(.trace).isSubset(of: .all))
    }

    @Test func readOnlyLeavesOnlyBrowsingOnEitherSource() throws {
        let readOnly = SourceDashboardDriver.capabilities(of: Self.clusterSource(), readOnly: true)
        #expect(readOnly == [.browseRecords, .browseDeadLetters, .trace])
        #expect(readOnly.isDisjoint(with: .dangerous))

        let dir = NSTemporaryDirectory() + "wharf-caps-\(UUID().uuidString)"
        let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .never), logger: Logger(label: "test"))
        defer {
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
        // The engine has a data directory: its audit log and the causation trace come on top of `.all`,
        // and stay under --read-only (they change nothing by themselves).
        #expect(SourceDashboardDriver.capabilities(of: EngineSource(engine: engine), readOnly: false) == SourceCapabilities.all.union([.audit, .trace]))
        #expect(SourceDashboardDriver.capabilities(of: EngineSource(engine: engine), readOnly: true)
                == [.browseRecords, .browseDeadLetters, .audit, .trace])
    }
}
