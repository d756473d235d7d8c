import Foundation
import Logging
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine
@testable import WharfStorage

/// Group state changes under `--fsync always` wait for their fdatasync off the coordinator, as
/// commits do: while a SyncGroup's assignment is written but its fdatasync is held, the
/// coordinator goes on answering (here a describe and another group's commit), the SyncGroup is
/// not answered, and after the sync it is, with everything on disk. Before, the coordinator
/// blocked in the write until the fdatasync finished, so nothing else in any group moved.
@Suite struct GroupStateWriteTests {
    @Test func aSyncGroupWaitingForItsFdatasyncDoesNotHoldTheCoordinator() async throws {
        let held = try HeldOffsetsSyncEngine()
        defer { held.remove() }
        let faults = held.faults
        let tp = TopicPartition("t", 0)
        do {
            let engine = held.engine
            let coordinator = engine.coordinator
            let joined = try await coordinator.join(consumerJoin("g"))
            try held.holdOffsetsSyncs()
            let answered = Atomic(false)
            let sync = Task {
                let assignment = try await coordinator.sync(groupId: "g", generationId: joined.generationId,
                                                            memberId: joined.memberId, assignments: [joined.memberId: [7]])
                answered.store(true, ordering: .releasing)
                return assignment
            }
            // The assignment is written and live while its fdatasync is held; the coordinator
            // takes another group's commit meanwhile. The deadline is generous for a loaded
            // parallel run; a passing run returns at once.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            var stable = false
            var otherCommitted = false
            let other = Task { try await coordinator.commit(groupId: "other", generationId: -1, memberId: "", offsets: [tp: (1, "")]) }
            while clock.now < deadline {
                stable = await coordinator.describe(groupId: "g")?.state == .stable
                otherCommitted = await coordinator.fetchOffsets(groupId: "other", partitions: [tp])[tp] != nil
                if stable && otherCommitted && faults.syncsWaiting == 1 { break }
                try await Task.sleep(for: .milliseconds(2))
            }
            let answeredWhileHeld = answered.load(ordering: .acquiring)
            faults.releaseSyncs()
            #expect(stable, "the assignment was not applied while its fdatasync was held")
            #expect(otherCommitted, "the coordinator took no other group's commit while an fdatasync was held")
            #expect(!answeredWhileHeld, "SyncGroup was answered before its assignment was durable")
            #expect(try await sync.value == [7])
            try await other.value
            try engine.close()
        }
        // The acknowledged assignment's group is on disk.
        let reopened = try held.reopened()
        defer { try? reopened.close() }
        #expect(await reopened.coordinator.listGroups().map(\.groupId).contains("g"))
        #expect(await reopened.coordinator.fetchOffsets(groupId: "other", partitions: [tp])[tp]?.offset == 1)
    }
}
