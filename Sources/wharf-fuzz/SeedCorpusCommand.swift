import ArgumentParser
import Foundation
import KafkaProtocol
import WharfCore

/// `wharf-fuzz seed-corpus DIR`: writes the audit's known triggers as corpus cases (the
/// crash reproducers of robustness-audit.md), each self-contained: it creates the topic it
/// needs, then sends the hostile request(s).
struct SeedCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-corpus", abstract: "Write the robustness audit's triggers as corpus cases.")

    /// The topic every seeded case uses (the replay's CLI check reads it).
    static let topic = "fz-regress"

    @Argument(help: "The corpus directory.") var directory: String

    func run() throws {
        for (name, frames, note) in Self.cases() {
            guard let path = FuzzCorpus.save(frames: frames, note: note + "\n", name: name, in: directory) else {
                throw ValidationError("cannot write \(name) in \(directory)")
            }
            print(path)
        }
    }

    static func frame(_ body: KafkaRequestBody, version: Int16, correlationId: Int32) -> [UInt8] {
        KafkaRequest(header: RequestHeader(requestApiVersion: version, correlationId: correlationId, clientId: "wharf-fuzz-corpus"), body: body).encodedFrame()
    }

    static func createTopic(partitions: Int32 = 1) -> [UInt8] {
        frame(.createTopics(CreateTopicsRequest(topics: [.init(name: topic, numPartitions: partitions, replicationFactor: 1)], timeoutMs: 5000)),
              version: 2, correlationId: 1)
    }

    static func produce(_ topic: String, partition: Int32, records: [UInt8], correlationId: Int32) -> [UInt8] {
        frame(.produce(ProduceRequest(acks: -1, timeoutMs: 5000, topicData: [.init(name: topic, partitionData: [.init(index: partition, records: records)])])),
              version: 3, correlationId: correlationId)
    }

    static func validBatch() -> [UInt8] {
        FuzzBatches.valid(count: 1, valueSize: 16, timestamp: Int64(Date().timeIntervalSince1970 * 1000))
    }

    static func commit(group: String, offsets: [(Int32, Int64)], metadata: String = "") -> [UInt8] {
        frame(.offsetCommit(OffsetCommitRequest(groupId: group, generationIdOrMemberEpoch: -1, memberId: "", topics: [
            .init(name: topic, partitions: offsets.map { .init(partitionIndex: $0.0, committedOffset: $0.1, committedMetadata: metadata) }),
        ])), version: 2, correlationId: 3)
    }

    /// A batch of one record, with header fields and record varints as given and a valid CRC.
    static func batch(_ header: FuzzBatches.Header, _ record: FuzzBatches.RawRecord) -> [UInt8] {
        var h = header
        h.recordsCount = 1
        return FuzzBatches.batch(h, records: [record])
    }

    // swiftlint:disable:next large_tuple
    static func cases() -> [(String, [[UInt8]], String)] {
        let now: Int64 = 1_765_000_000_000
        let big = FuzzBatches.RawRecord(value: [UInt8](repeating: 0x62, count: 4200))
        let deltaMax = FuzzBatches.Header(lastOffsetDelta: .max, baseTimestamp: now, maxTimestamp: now)
        let bigValue = FuzzBatches.valid(count: 1, valueSize: 128 << 10, timestamp: now)
        let fetchDuplicates = frame(.fetch(FetchRequest(maxWaitMs: 0, minBytes: 1, maxBytes: .max, topics: [
            .init(topic: topic, partitions: Array(repeating: .init(partition: 0, fetchOffset: 0, partitionMaxBytes: .max), count: 6144)),
        ])), version: 4, correlationId: 4)
        let listOffsetsFar = frame(.listOffsets(ListOffsetsRequest(replicaId: -1, topics: [
            .init(name: topic, partitions: [.init(partitionIndex: 0, timestamp: 1 << 62)]),
        ])), version: 1, correlationId: 4)
        let deleteOffsetsTopic = frame(.deleteRecords(DeleteRecordsRequest(topics: [
            .init(name: "__consumer_offsets", partitions: [.init(partitionIndex: 0, offset: -1)]),
        ], timeoutMs: 5000)), version: 0, correlationId: 4)
        return [
            ("finding01-produce-three-batches-lastOffsetDelta-int32-max",
             [createTopic(), produce(topic, partition: 0, records: batch(deltaMax, big) + batch(deltaMax, big) + batch(deltaMax, big), correlationId: 2)],
             "audit finding 1: one Produce, three batches each claiming lastOffsetDelta = Int32.max (UInt32 trap in LogSegment.didAppend)"),
            ("finding02-record-timestamp-int64-max",
             [createTopic(),
              produce(topic, partition: 0, records: batch(.init(baseTimestamp: .max, maxTimestamp: .max), .init(timestampDelta: 1, value: [1])), correlationId: 2),
              listOffsetsFar],
             "audit finding 2: baseTimestamp Int64.max + timestampDelta 1, then ListOffsets(2^62) decodes it (trap in RecordBatchReader); the replay's consume also decodes it"),
            ("finding03-fetch-one-partition-6144-times",
             [createTopic(), produce(topic, partition: 0, records: bigValue, correlationId: 2), fetchDuplicates],
             "audit finding 3 (scaled down): 128 KiB in fz-regress/0, then a Fetch listing that partition 6144 times (768 MiB response; the replay's RSS bound fails it)"),
            ("finding04-first-batch-maxTimestamp-int64-min",
             [createTopic(), produce(topic, partition: 0, records: batch(.init(baseTimestamp: now, maxTimestamp: .min), .init(value: [1])), correlationId: 2)],
             "audit finding 4: the active segment's first batch says maxTimestamp Int64.min; after a restart every append computes now - Int64.min (the replay's restart check)"),
            ("finding05-offsetcommit-int64-min",
             [createTopic(), commit(group: "pwned", offsets: [(0, .min)])],
             "audit finding 5: an admin OffsetCommit of Int64.min (lag arithmetic traps in `wharf group list` and the dashboard)"),
            ("finding05-offsetcommit-int64-max-two-partitions",
             [createTopic(partitions: 2), commit(group: "pwned2", offsets: [(0, .max), (1, .max)])],
             "audit finding 5: Int64.max committed on two partitions (the group's summed offsets overflow)"),
            ("finding06-record-header-count-int32-max",
             [createTopic(), produce(topic, partition: 0, records: batch(.init(baseTimestamp: now, maxTimestamp: now), .init(value: [1], headerCount: Int64(Int32.max))), correlationId: 2)],
             "audit finding 6: a record declaring 2^31-1 headers and carrying none (reserveCapacity bomb on every Wharf-side decode; the replay's consume decodes it)"),
            ("finding08-deleterecords-consumer-offsets",
             [createTopic(), produce(topic, partition: 0, records: validBatch(), correlationId: 2), commit(group: "g8", offsets: [(0, 1)]), deleteOffsetsTopic],
             "audit finding 8: DeleteRecords on __consumer_offsets (every commit gone after a restart); liveness only here, the refusal is tested with the internal-state fix"),
        ]
    }
}
