import Foundation
import KafkaProtocol
import WharfCore

/// What a Fetch returned for one partition.
public struct FetchedPartition: Sendable, Equatable {
    public var records: [StoredRecord]
    public var highWatermark: Int64
    public var logStartOffset: Int64
}

/// An idempotent producer's identity (InitProducerId). Batches sent with it and a sequence
/// number per partition are appended once: a Produce retried because its answer was lost is
/// recognised by the broker and not written again.
public struct ProducerIdentity: Sendable, Equatable {
    public var producerId: Int64
    public var epoch: Int16
}

extension KafkaClient {
    /// A new idempotent producer id (no transactional id: any broker hands one out).
    public func initProducerId() async throws(KafkaClientError) -> ProducerIdentity {
        var request = InitProducerIdRequest()
        request.transactionalId = nil
        request.transactionTimeoutMs = -1
        let r = try await send(request, to: .any)
        guard r.errorCode == 0 else { throw .broker(api: "InitProducerId", code: r.errorCode, context: "idempotent producer") }
        return ProducerIdentity(producerId: r.producerId, epoch: r.producerEpoch)
    }

    /// Produces records to one partition (acks=all) and returns the base offset the leader gave
    /// them. With `idempotent`, the batch carries the producer id and `baseSequence` (the caller
    /// advances it by the record count per partition), so the retries below never duplicate it.
    public func produce(topic: String, partition: Int32, records: [Record], timestampMs: Int64,
                        idempotent: (producer: ProducerIdentity, baseSequence: Int32)? = nil) async throws(KafkaClientError) -> Int64 {
        let batch = RecordBatchBuilder.encode(records, defaultTimestamp: timestampMs, producerId: idempotent?.producer.producerId ?? -1,
                                              producerEpoch: idempotent?.producer.epoch ?? -1, baseSequence: idempotent?.baseSequence ?? -1)
        let tp = TopicPartition(topic, partition)
        return try await withRetry { () async throws(KafkaClientError) -> Int64 in
            guard let leader = try await byLeader([tp]).keys.first else { throw .notFound("unknown partition \(tp)") }
            var request = ProduceRequest()
            request.acks = -1
            request.timeoutMs = 30_000
            request.topicData = [.init(name: topic, partitionData: [.init(index: partition, records: batch)])]
            let r = try await send(request, to: .node(leader))
            guard let p = r.responses.first?.partitionResponses.first else { throw .malformed("Produce answer without a partition") }
            // An older broker answers a retried idempotent batch it already has with this error.
            if p.errorCode == KafkaErrorCode.duplicateSequenceNumber, idempotent != nil { return p.baseOffset }
            guard p.errorCode == 0 else { throw .broker(api: "Produce", code: p.errorCode, context: "\(tp)" + (p.errorMessage.map { " (\($0))" } ?? "")) }
            return p.baseOffset
        }
    }

    /// Fetches from several partitions at once, one request per leader; `maxWaitMs` 0 returns
    /// what is there. `partitionMaxBytes` small still returns the first batch (KIP-74).
    public func fetch(_ offsets: [TopicPartition: Int64], maxWaitMs: Int32 = 0, partitionMaxBytes: Int32 = 1 << 20,
                      maxRecords: Int = .max) async throws(KafkaClientError) -> [TopicPartition: FetchedPartition] {
        try await withRetry { () async throws(KafkaClientError) -> [TopicPartition: FetchedPartition] in
            let routes = try await byLeader(offsets.keys)
            let perNode = try await perNode(routes.keys) { (node: Int32) async throws(KafkaClientError) -> [TopicPartition: FetchedPartition] in
                var request = FetchRequest()
                request.replicaId = -1
                request.maxWaitMs = maxWaitMs
                request.minBytes = 1
                request.maxBytes = 50 << 20
                request.isolationLevel = 0
                request.sessionId = 0
                request.sessionEpoch = -1
                var byTopic: [String: [FetchRequest.FetchPartition]] = [:]
                for tp in routes[node]! {
                    var p = FetchRequest.FetchPartition()
                    p.partition = tp.partition
                    p.currentLeaderEpoch = -1
                    p.fetchOffset = offsets[tp]!
                    p.logStartOffset = -1
                    p.partitionMaxBytes = partitionMaxBytes
                    byTopic[tp.topic, default: []].append(p)
                }
                request.topics = byTopic.map { var t = FetchRequest.FetchTopic(); t.topic = $0.key; t.partitions = $0.value; return t }
                let r = try await self.send(request, to: .node(node))
                guard r.errorCode == 0 else { throw .broker(api: "Fetch", code: r.errorCode, context: "") }
                var out: [TopicPartition: FetchedPartition] = [:]
                for t in r.responses {
                    for p in t.partitions {
                        let tp = TopicPartition(t.topic, p.partitionIndex)
                        guard p.errorCode == 0 else { throw .broker(api: "Fetch", code: p.errorCode, context: "\(tp) at offset \(offsets[tp] ?? -1)") }
                        let records: [StoredRecord]
                        do {
                            records = try RecordBatchReader.records(in: p.records ?? [], fromOffset: offsets[tp] ?? 0, limit: maxRecords)
                        } catch {
                            throw .malformed("records of \(tp): \(error)")
                        }
                        out[tp] = FetchedPartition(records: records, highWatermark: p.highWatermark, logStartOffset: p.logStartOffset)
                    }
                }
                return out
            }
            return perNode.values.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
        }
    }
}
