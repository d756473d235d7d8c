import Foundation
import Logging
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaClient
import WharfKafkaServer

/// Idempotent producers as Kafka keeps them (audit finding 9), through the real listener:
/// producer ids never handed out twice across a crash, retries deduplicated from state rebuilt
/// from snapshot and log, sequence gaps and fenced epochs refused with Kafka's codes.
@Suite struct IdempotentProducerStateTests {
    /// An engine over a data directory with a Kafka listener on 127.0.0.1:0 and a client.
    final class Node {
        let dir: String
        let engine: Engine
        let server: KafkaServer
        let client: KafkaClient

        init(dir: String, segmentBytes: Int = 1 << 20) async throws {
            self.dir = dir
            var config = EngineConfig(dataDirectory: dir, fsync: .never)
            config.defaultLog.segmentBytes = segmentBytes
            engine = try Engine.open(config: config, logger: Logger(label: "test"))
            let serverConfig = KafkaServer.Configuration.forTest()
            server = KafkaServer(engine: engine, configuration: serverConfig, logger: Logger(label: "test"))
            let port = try await server.start()
            client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
        }

        /// What a SIGKILL leaves on disk: the files as they are now (the page cache), without
        /// clean-shutdown markers or close-time snapshots, copied to a new directory.
        func crashImage() throws -> String {
            let copy = NSTemporaryDirectory() + "wharf-crash-\(UUID().uuidString)"
            try FileManager.default.copyItem(atPath: dir, toPath: copy)
            return copy
        }

        func stop() async {
            await client.close()
            await server.stop()
            try? engine.close()
        }

        func produce(_ values: [String], partition: Int32 = 0, _ producer: ProducerIdentity, _ sequence: Int32) async throws -> Int64 {
            try await client.produce(topic: "t", partition: partition, records: values.map { Record(key: nil, value: Array($0.utf8)) },
                                     timestampMs: 1, idempotent: (producer, sequence))
        }

        /// The Kafka error code a produce is refused with (nil when it succeeds).
        func refusal(_ values: [String], _ producer: ProducerIdentity, _ sequence: Int32) async -> Int16? {
            do {
                _ = try await produce(values, producer, sequence)
                return nil
            } catch let error as KafkaClientError {
                if case .broker(_, let code, _) = error { return code }
                return -2
            } catch {
                return -2
            }
        }

        var logEnd: Int64 { (try? engine.offsets(topic: "t", partition: 0).logEnd) ?? -1 }
    }

    static func tempDir() -> String { NSTemporaryDirectory() + "wharf-pid-\(UUID().uuidString)" }

    @Test func producerIdsAreNotHandedOutAgainAfterACrash() async throws {
        let dir = Self.tempDir()
        let image: String
        var before: [Int64] = []
        do {
            let node = try await Node(dir: dir)
            try node.engine.createTopic("t", .init(partitions: 1))
            let first = try await node.client.initProducerId()
            let second = try await node.client.initProducerId()  // handed out, never written
            before = [first.producerId, second.producerId]
            _ = try await node.produce(["a"], first, 0)
            image = try node.crashImage()
            await node.stop()
        }
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: image) }
        let restarted = try await Node(dir: image)
        var after: [Int64] = []
        for _ in 0..<2 { after.append(try await restarted.client.initProducerId().producerId) }
        // The new ids also work: the second producer's batches are not taken for the first's.
        let fresh = ProducerIdentity(producerId: after[0], epoch: 0)
        let offset = try await restarted.produce(["b"], fresh, 0)
        await restarted.stop()
        #expect(Set(before).isDisjoint(with: after), "before \(before), after \(after)")
        #expect(Set(after).count == 2)
        #expect(offset == 1)
    }

    @Test func aCorruptProducerIdFileSkipsAheadInsteadOfReusing() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var first: Int64 = -1
        do {
            let node = try await Node(dir: dir)
            first = try await node.client.initProducerId().producerId
            await node.stop()
        }
        try Data("12x 0\n".utf8).write(to: URL(fileURLWithPath: dir + "/producer-id-block"))
        let node = try await Node(dir: dir)
        let next = try await node.client.initProducerId().producerId
        await node.stop()
        #expect(next > first + (1 << 30))
    }

    @Test func withoutTheProducerIdFileIdsContinueAboveTheOnesInTheLogs() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let node = try await Node(dir: dir)
            try node.engine.createTopic("t", .init(partitions: 1))
            _ = try await node.client.initProducerId()  // writes the file
            _ = try await node.produce(["a"], ProducerIdentity(producerId: 5_000, epoch: 0), 0)
            await node.stop()
        }
        try FileManager.default.removeItem(atPath: dir + "/producer-id-block")  // e.g. written by an older Wharf
        let node = try await Node(dir: dir)
        let next = try await node.client.initProducerId().producerId
        await node.stop()
        #expect(next > 5_000)
    }

    @Test func aForgedHugeProducerIdCannotExhaustTheIds() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let node = try await Node(dir: dir)
            try node.engine.createTopic("t", .init(partitions: 1))
            _ = try await node.produce(["a"], ProducerIdentity(producerId: Int64.max - 1, epoch: 0), 0)
            await node.stop()
        }
        let node = try await Node(dir: dir)
        let ids = [try await node.client.initProducerId().producerId, try await node.client.initProducerId().producerId]
        await node.stop()
        #expect(ids[0] >= 1_000 && ids[1] == ids[0] + 1)
    }

    @Test func aRetryAfterACrashIsAnsweredWithItsOriginalOffset() async throws {
        let dir = Self.tempDir()
        let image: String
        let producer: ProducerIdentity
        do {
            // Small segments: the log rolls, so a snapshot is written and the log after it replayed.
            let node = try await Node(dir: dir, segmentBytes: 256)
            try node.engine.createTopic("t", .init(partitions: 1))
            producer = try await node.client.initProducerId()
            var sequence: Int32 = 0
            for i in 0..<6 {
                #expect(try await node.produce(["v\(i)a", "v\(i)b"], producer, sequence) == Int64(i) * 2)
                sequence += 2
            }
            image = try node.crashImage()
            await node.stop()
        }
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: image) }
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: image + "/topics/t/0").filter { $0.hasSuffix(".snapshot") }
        #expect(!snapshots.isEmpty)
        let node = try await Node(dir: image, segmentBytes: 256)
        // The last batch's answer was lost; the client retries it after the broker came back.
        let retried = try await node.produce(["v5a", "v5b"], producer, 10)
        let end = node.logEnd
        let next = try await node.produce(["v6a"], producer, 12)
        let gap = await node.refusal(["v7a"], producer, 20)
        let endAfterGap = node.logEnd
        await node.stop()
        #expect(retried == 10)
        #expect(end == 12)
        #expect(next == 12)
        #expect(gap == 45)
        #expect(endAfterGap == 13)
    }

    @Test func aCorruptSnapshotFallsBackToReplayingTheLog() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let producer: ProducerIdentity
        do {
            let node = try await Node(dir: dir, segmentBytes: 256)
            try node.engine.createTopic("t", .init(partitions: 1))
            producer = try await node.client.initProducerId()
            for i in 0..<4 { _ = try await node.produce(["x\(i)", "y\(i)"], producer, Int32(i) * 2) }
            await node.stop()  // clean close: a snapshot at the log end
        }
        let partition = dir + "/topics/t/0"
        for name in try FileManager.default.contentsOfDirectory(atPath: partition) where name.hasSuffix(".snapshot") {
            try Data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).write(to: URL(fileURLWithPath: partition + "/" + name))
        }
        let node = try await Node(dir: dir, segmentBytes: 256)
        let retried = try await node.produce(["x3", "y3"], producer, 6)
        let end = node.logEnd
        await node.stop()
        #expect(retried == 6)
        #expect(end == 8)
    }

    @Test func sequenceGapsAndFencedEpochsAreRefusedAndNothingIsWritten() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = try await Node(dir: dir)
        try node.engine.createTopic("t", .init(partitions: 1))
        let p = try await node.client.initProducerId()
        let epoch1 = ProducerIdentity(producerId: p.producerId, epoch: 1)
        let epoch2 = ProducerIdentity(producerId: p.producerId, epoch: 2)
        var codes: [Int16?] = []
        var ends: [Int64] = []
        codes.append(await node.refusal(["a", "b"], p, 0))      // accepted: offsets 0-1
        codes.append(await node.refusal(["c"], p, 5))           // gap: expected 2
        ends.append(node.logEnd)
        codes.append(await node.refusal(["d"], epoch1, 3))      // a new epoch must start at 0
        codes.append(await node.refusal(["d"], epoch1, 0))      // accepted: offset 2
        codes.append(await node.refusal(["e"], p, 2))           // the old epoch is fenced
        ends.append(node.logEnd)
        codes.append(await node.refusal(["f"], epoch1, 1))      // accepted: offset 3
        codes.append(await node.refusal(["f"], epoch2, 0))      // accepted: offset 4
        codes.append(await node.refusal(["g"], epoch1, 2))      // fenced again
        ends.append(node.logEnd)
        await node.stop()
        #expect(codes == [nil, 45, 45, nil, 47, nil, nil, 47])
        #expect(ends == [2, 3, 5])
    }

    @Test func sequencesWrapAtInt32Max() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = try await Node(dir: dir)
        try node.engine.createTopic("t", .init(partitions: 1))
        let p = try await node.client.initProducerId()
        // An unknown producer may start anywhere (KIP-360: its state may have expired).
        let start = await node.refusal(["a", "b"], p, Int32.max - 1)
        let skipped = await node.refusal(["c"], p, 1)
        let wrapped = await node.refusal(["c"], p, 0)
        let retried = try await node.produce(["c"], p, 0)
        let end = node.logEnd
        await node.stop()
        #expect(start == nil)
        #expect(skipped == 45)
        #expect(wrapped == nil)
        #expect(retried == 2)
        #expect(end == 3)
    }

    @Test func deleteRecordsExpiresTheStateOfProducersWhoseDataIsGone() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = try await Node(dir: dir)
        try node.engine.createTopic("t", .init(partitions: 1))
        let p = try await node.client.initProducerId()
        _ = try await node.produce(["a"], p, 0)
        _ = try await node.produce(["b"], p, 1)
        let beforeDelete = await node.refusal(["c"], p, 7)
        try node.engine.deleteRecords(topic: "t", partition: 0, before: -1)
        // Its records are gone, so is its state: Kafka then accepts any sequence.
        let afterDelete = await node.refusal(["c"], p, 7)
        let next = await node.refusal(["d"], p, 9)
        let end = node.logEnd
        await node.stop()
        #expect(beforeDelete == 45)
        #expect(afterDelete == nil)
        #expect(next == 45)
        #expect(end == 3)
    }
}
