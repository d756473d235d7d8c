import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// read_committed in raw frames: ListOffsets "latest" is the last stable offset, Fetch stops
/// there while a transaction is open and, once it aborted, lists it among the aborted
/// transactions; read_uncommitted reads to the high watermark.
@Suite struct ReadCommittedFrameTests {
    func listLatest(_ socket: RawKafkaSocket, isolation: Int8) async throws -> Int64 {
        let body = KafkaRequestBody.listOffsets(ListOffsetsRequest(replicaId: -1, isolationLevel: isolation, topics: [
            .init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: -1)]),
        ]))
        guard case .listOffsets(let r) = try await socket.roundTrip(body, version: 2) else { throw WharfError.malformed("not ListOffsets") }
        return r.topics.first?.partitions.first?.offset ?? -99
    }

    func fetch(_ socket: RawKafkaSocket, isolation: Int8) async throws -> FetchResponse.PartitionData {
        let body = KafkaRequestBody.fetch(FetchRequest(replicaId: -1, maxWaitMs: 0, minBytes: 1, isolationLevel: isolation, topics: [
            .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
        ]))
        guard case .fetch(let r) = try await socket.roundTrip(body, version: 4) else { throw WharfError.malformed("not Fetch") }
        return try #require(r.responses.first?.partitions.first)
    }

    static func baseOffsets(_ bytes: [UInt8]) throws -> [Int64] {
        try bytes.withUnsafeBytes { try RecordBatchReader.batchHeaders(in: $0).map(\.baseOffset) }
    }

    @Test func readCommittedStopsAtTheLastStableOffsetAndGetsTheAbortedTransactions() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            try f.engine.produce(topic: "t", records: [Record(key: nil, value: "plain")], partition: 0)
            let p = try await f.engine.initTransactionalProducer(transactionalId: "rc", timeoutMs: 60_000)
            try await f.engine.addPartitionsToTransaction(transactionalId: "rc", producerId: p.producerId, epoch: p.epoch,
                                                          partitions: [TransactionPartition(topic: "t", partition: 0)])
            var batch = RecordBatchBuilder.encode([Record(key: nil, value: "in txn")], defaultTimestamp: 1, producerId: p.producerId,
                                                  producerEpoch: p.epoch, baseSequence: 0)
            let size = batch.count
            batch.withUnsafeMutableBytes { RecordBatchBytes.setTimestamps(attributes: 0x10, maxTimestamp: 1, in: $0, totalSize: size) }
            _ = try f.engine.append(topic: "t", partition: 0, batches: &batch)
            let socket = try await RawKafkaSocket.connect(port: port)
            defer { socket.close() }

            #expect(try await listLatest(socket, isolation: 1) == 1)
            #expect(try await listLatest(socket, isolation: 0) == 2)
            let open = try await fetch(socket, isolation: 1)
            #expect(open.highWatermark == 2 && open.lastStableOffset == 1)
            #expect(try Self.baseOffsets(open.records ?? []) == [0], "only the batch below the LSO")
            #expect(try Self.baseOffsets(try await fetch(socket, isolation: 0).records ?? []) == [0, 1])

            try await f.engine.endTransaction(transactionalId: "rc", producerId: p.producerId, epoch: p.epoch, commit: false)
            let aborted = try await fetch(socket, isolation: 1)
            #expect(aborted.lastStableOffset == 3 && aborted.highWatermark == 3)
            #expect(aborted.abortedTransactions == [FetchResponse.AbortedTransaction(producerId: p.producerId, firstOffset: 1)])
            #expect(try await listLatest(socket, isolation: 1) == 3)
        }
    }
}
