import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine
import WharfTestSupport

/// Requests that arrive while a transaction is ending. The coordinator is an actor, but its end
/// awaits the group coordinator (the transaction's offsets), and meanwhile it takes other
/// requests. Kafka answers those for the same transactional id with CONCURRENT_TRANSACTIONS,
/// which clients retry; so does Wharf. The end is held on the `__consumer_offsets` fdatasync.
@Suite struct TransactionEndingConcurrencyTests {
    static let id = "ending"

    /// A transaction over t/0 (one record at offset 1) with group g's offset for t/0 held in it.
    static func openTransaction(_ engine: Engine) async throws -> (producerId: Int64, epoch: Int16) {
        let producer = try await engine.initTransactionalProducer(transactionalId: id, timeoutMs: 60_000)
        try await engine.addPartitionsToTransaction(transactionalId: id, producerId: producer.producerId, epoch: producer.epoch,
                                                    partitions: [TransactionPartition(topic: "t", partition: 0)])
        var batch = EngineTransactionTests.batch(["in the transaction"], producerId: producer.producerId, epoch: producer.epoch, sequence: 0)
        _ = try engine.append(topic: "t", partition: 0, batches: &batch)
        try await engine.addOffsetsToTransaction(transactionalId: id, producerId: producer.producerId, epoch: producer.epoch, group: "g")
        try await engine.commitTransactionalOffsets(transactionalId: id, producerId: producer.producerId, epoch: producer.epoch, group: "g",
                                                    offsets: [TopicPartition("t", 0): (offset: 2, metadata: "")])
        return producer
    }


    @Test func anInitProducerIdWhileTheTransactionEndsIsRefusedAsConcurrentAndTheNewEpochHolds() async throws {
        let h = try HeldOffsetsSyncEngine()
        defer { h.remove() }
        let old = try await Self.openTransaction(h.engine)
        try h.holdOffsetsSyncs()
        let ending = Task { try await h.engine.endTransaction(transactionalId: Self.id, producerId: old.producerId, epoch: old.epoch, commit: true) }
        #expect(await eventually(seconds: HeldSyncs.boundWhileHeld) { h.faults.syncsWaiting > 0 }, "the end waits on the offsets' fdatasync")

        // A new producer instance starts meanwhile (the zombie-fencing case).
        let answer = Mutex<Result<(producerId: Int64, epoch: Int16), TransactionError>?>(nil)
        let initializing = Task {
            let result: Result<(producerId: Int64, epoch: Int16), TransactionError>
            do throws(TransactionError) {
                result = .success(try await h.engine.initTransactionalProducer(transactionalId: Self.id, timeoutMs: 60_000))
            } catch {
                result = .failure(error)
            }
            answer.withLock { $0 = result }
        }
        let answered = await eventually(seconds: HeldSyncs.boundWhileHeld) { answer.withLock { $0 != nil } }
        #expect(answered, "InitProducerId waited on the ending transaction instead of being refused")
        if case .failure(.concurrentTransactions) = answer.withLock({ $0 }) {} else {
            Issue.record("not refused as concurrent: \(String(describing: answer.withLock { $0 }))")
        }

        h.faults.releaseSyncs()
        try await ending.value
        await initializing.value
        // The client retries, and gets the next epoch, which fences the old producer for good.
        let new = try await h.engine.initTransactionalProducer(transactionalId: Self.id, timeoutMs: 60_000)
        #expect(new.producerId == old.producerId && new.epoch == old.epoch + 1)
        let state = await h.engine.transactionStates().first { $0.transactionalId == Self.id }
        #expect(state?.epoch == new.epoch && state?.status == .completeCommit)
        await #expect(throws: TransactionError.self) {
            try await h.engine.addPartitionsToTransaction(transactionalId: Self.id, producerId: old.producerId, epoch: old.epoch,
                                                          partitions: [TransactionPartition(topic: "t", partition: 0)])
        }
        #expect(await h.engine.coordinator.fetchOffsets(groupId: "g", partitions: nil)[TopicPartition("t", 0)]?.offset == 2)
        #expect(try h.engine.lastStableOffset(topic: "t", partition: 0) == h.engine.offsets(topic: "t", partition: 0).logEnd)
        try h.engine.close()
    }
}
