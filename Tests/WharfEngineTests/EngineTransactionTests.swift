import Foundation
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage

/// The transaction coordinator and what it leaves in the logs: markers, the last stable offset
/// and the aborted transactions, across epochs, timeouts and restarts.
@Suite struct EngineTransactionTests {
    static let topic = "t"

    /// A transactional producer's batch (attributes bit 4) as a client sends it.
    static func batch(_ values: [String], producerId: Int64, epoch: Int16, sequence: Int32) -> [UInt8] {
        let ts: Int64 = 1_800_000_000_000
        var bytes = RecordBatchBuilder.encode(values.map { Record(key: nil, value: $0) }, defaultTimestamp: ts,
                                              producerId: producerId, producerEpoch: epoch, baseSequence: sequence)
        let size = bytes.count
        bytes.withUnsafeMutableBytes { RecordBatchBytes.setTimestamps(attributes: 0x10, maxTimestamp: ts, in: $0, totalSize: size) }
        return bytes
    }

    static func fixture() throws -> EngineFixture {
        let f = try EngineFixture()
        try f.engine.createTopic(topic, .init(partitions: 1))
        return f
    }

    static let partition = [TransactionPartition(topic: topic, partition: 0)]

    func produce(_ f: EngineFixture, _ values: [String], _ producer: (producerId: Int64, epoch: Int16), sequence: Int32) throws {
        var bytes = Self.batch(values, producerId: producer.producerId, epoch: producer.epoch, sequence: sequence)
        _ = try f.engine.append(topic: Self.topic, partition: 0, batches: &bytes)
    }

    func stable(_ f: EngineFixture) throws -> Int64 { try f.engine.lastStableOffset(topic: Self.topic, partition: 0) }
    func end(_ f: EngineFixture) throws -> Int64 { try f.engine.offsets(topic: Self.topic, partition: 0).logEnd }
    func aborted(_ f: EngineFixture) throws -> [AbortedTransaction] {
        try f.engine.abortedTransactions(topic: Self.topic, partition: 0, from: 0, below: Int64.max)
    }

    @Test func abortAndCommitMoveTheLastStableOffsetAndTheAbortedList() async throws {
        let f = try Self.fixture()
        let p = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: 60_000)
        #expect(p.epoch == 0)
        try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, partitions: Self.partition)
        try produce(f, ["a1", "a2"], p, sequence: 0)
        #expect(try stable(f) == 0)
        #expect(try end(f) == 2)
        try await f.engine.endTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, commit: false)
        // Two records and the ABORT marker.
        #expect(try end(f) == 3)
        #expect(try stable(f) == 3)
        #expect(try aborted(f) == [AbortedTransaction(producerId: p.producerId, firstOffset: 0, lastOffset: 2)])

        try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, partitions: Self.partition)
        try produce(f, ["c1"], p, sequence: 2)
        #expect(try stable(f) == 3)
        try await f.engine.endTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, commit: true)
        #expect(try stable(f) == 5)
        // A retried EndTxn of a finished commit succeeds and writes nothing.
        try await f.engine.endTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, commit: true)
        #expect(try end(f) == 5)
        #expect(try aborted(f).count == 1)
        // Readers that skip control batches see every data record.
        #expect(values(try f.engine.readRecords(topic: Self.topic, partition: 0, from: 0, maxRecords: 10)) == ["a1", "a2", "c1"])

        // The snapshot written on a clean close carries the aborted list.
        try f.reopen()
        #expect(try aborted(f) == [AbortedTransaction(producerId: p.producerId, firstOffset: 0, lastOffset: 2)])
        #expect(try stable(f) == 5)
    }

    @Test func aNewProducerWithTheSameIdFencesTheOldOneAndAbortsItsTransaction() async throws {
        let f = try Self.fixture()
        let old = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: 60_000)
        try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: old.producerId, epoch: old.epoch, partitions: Self.partition)
        try produce(f, ["zombie"], old, sequence: 0)
        let new = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: 60_000)
        #expect(new.producerId == old.producerId)
        #expect(new.epoch == old.epoch + 1)
        #expect(try stable(f) == end(f))
        #expect(try aborted(f) == [AbortedTransaction(producerId: old.producerId, firstOffset: 0, lastOffset: 1)])
        // The old epoch is refused by the partition and by the coordinator.
        #expect(throws: WharfError.self) { try produce(f, ["late"], old, sequence: 1) }
        await #expect(throws: TransactionError.self) {
            try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: old.producerId, epoch: old.epoch, partitions: Self.partition)
        }
        await #expect(throws: TransactionError.self) {
            try await f.engine.endTransaction(transactionalId: "tx", producerId: old.producerId, epoch: old.epoch, commit: true)
        }
        // The new producer starts its epoch at sequence 0.
        try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: new.producerId, epoch: new.epoch, partitions: Self.partition)
        try produce(f, ["fresh"], new, sequence: 0)
        try await f.engine.endTransaction(transactionalId: "tx", producerId: new.producerId, epoch: new.epoch, commit: true)
        #expect(try stable(f) == end(f))
    }

    @Test func aTransactionOpenPastItsTimeoutIsAbortedAndItsProducerFenced() async throws {
        let f = try Self.fixture()
        let p = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: 1_000)
        try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, partitions: Self.partition)
        try produce(f, ["slow"], p, sequence: 0)
        f.clock.advance(byMillis: 1_000)
        await f.engine.runMaintenance()
        #expect(try stable(f) == 0, "not past the timeout yet")
        f.clock.advance(byMillis: 1)
        await f.engine.runMaintenance()
        #expect(try stable(f) == end(f))
        #expect(try aborted(f).count == 1)
        let state = try #require(await f.engine.transactionStates().first)
        #expect(state.status == .completeAbort)
        #expect(state.epoch == p.epoch + 1)
        await #expect(throws: TransactionError.self) {
            try await f.engine.endTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, commit: true)
        }
    }

    @Test func aTimeoutAboveTheMaximumIsRefused() async throws {
        let f = try Self.fixture()
        await #expect(throws: TransactionError.self) {
            _ = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: f.engine.config.transactionMaxTimeoutMs + 1)
        }
        await #expect(throws: TransactionError.self) {
            _ = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: 0)
        }
    }

    /// A restart keeps what was committed and aborts what was open: the open transaction's
    /// start is found again by replaying the log (its snapshot removed, as after a crash).
    @Test func aRestartAbortsTheOpenTransactionAndKeepsTheCommittedOne() async throws {
        let f = try Self.fixture()
        let p = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: 60_000)
        try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, partitions: Self.partition)
        try produce(f, ["kept"], p, sequence: 0)
        try await f.engine.endTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, commit: true)
        try await f.engine.addPartitionsToTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, partitions: Self.partition)
        try produce(f, ["in flight"], p, sequence: 1)
        #expect(try stable(f) == 2)
        try f.engine.close()
        let partitionDirectory = f.path + "/topics/\(Self.topic)/0"
        for name in try FileManager.default.contentsOfDirectory(atPath: partitionDirectory) where name.hasSuffix(".snapshot") {
            try FileManager.default.removeItem(atPath: partitionDirectory + "/" + name)
        }
        f.engine = try f.open()
        #expect(try stable(f) == 2, "the replay finds the open transaction")
        await f.engine.runMaintenance()
        #expect(try stable(f) == end(f))
        #expect(try aborted(f) == [AbortedTransaction(producerId: p.producerId, firstOffset: 2, lastOffset: 3)])
        let state = try #require(await f.engine.transactionStates().first)
        #expect(state.status == .completeAbort)
        #expect(state.epoch == p.epoch + 1)
    }

    @Test func transactionalOffsetsReachTheGroupOnlyWhenTheTransactionCommits() async throws {
        let f = try Self.fixture()
        let p = try await f.engine.initTransactionalProducer(transactionalId: "tx", timeoutMs: 60_000)
        let tp = TopicPartition(Self.topic, 0)
        for commit in [false, true] {
            try await f.engine.addOffsetsToTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, group: "g")
            try await f.engine.commitTransactionalOffsets(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, group: "g",
                                                          offsets: [tp: (offset: commit ? 7 : 5, metadata: "")])
            #expect(await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: [tp])[tp] == nil)
            try await f.engine.endTransaction(transactionalId: "tx", producerId: p.producerId, epoch: p.epoch, commit: commit)
        }
        #expect(await f.engine.coordinator.fetchOffsets(groupId: "g", partitions: [tp])[tp]?.offset == 7)
    }

    /// A transaction a partition holds open with no coordinator state for it (a lost marker, a
    /// replaced state file) is ended by the sweep of the next start, so the LSO moves again.
    @Test func aHangingTransactionIsAbortedAtTheNextStart() async throws {
        let f = try Self.fixture()
        try produce(f, ["orphan"], (producerId: 4242, epoch: 3), sequence: 0)
        #expect(try stable(f) == 0)
        try f.reopen()
        await f.engine.runMaintenance()
        #expect(try stable(f) == end(f))
        #expect(try aborted(f) == [AbortedTransaction(producerId: 4242, firstOffset: 0, lastOffset: 1)])
    }

    /// The coordinator's state writes (each with fsyncs) and its markers run on a queue of its
    /// own, not on a thread of the cooperative pool that every listener and task shares.
    @Test func theCoordinatorRunsOnAQueueOfItsOwn() async throws {
        let f = try Self.fixture()
        let producer = try await f.engine.initTransactionalProducer(transactionalId: "own-queue", timeoutMs: 60_000)
        try await f.engine.addPartitionsToTransaction(transactionalId: "own-queue", producerId: producer.producerId, epoch: producer.epoch,
                                                      partitions: Self.partition)
        try produce(f, ["a"], producer, sequence: 0)
        try await f.engine.endTransaction(transactionalId: "own-queue", producerId: producer.producerId, epoch: producer.epoch, commit: true)
        #expect(await Self.runsOnTheCoordinatorsQueue(f.engine.transactions))
        #expect(!BlockingActorExecutor.isCurrent, "the test itself is not on it")
        #expect(try stable(f) == end(f))
    }

    /// Runs on `coordinator`'s executor, as its own methods do.
    static func runsOnTheCoordinatorsQueue(_ coordinator: isolated TransactionCoordinator) -> Bool {
        BlockingActorExecutor.isCurrent
    }
}
