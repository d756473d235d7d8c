import KafkaProtocol
import WharfCore
import WharfEngine

/// Kafka's transaction error codes (KafkaProtocol's table has the ones other APIs use).
extension KafkaErrorCode {
    static let invalidTxnState: Int16 = 48
    static let invalidProducerIdMapping: Int16 = 49
    static let invalidTransactionTimeout: Int16 = 50
    static let concurrentTransactions: Int16 = 51
    static let operationNotAttempted: Int16 = 55
    static let producerFenced: Int16 = 90

    /// The code for a refusal of the coordinator. PRODUCER_FENCED exists since Kafka 2.7: a
    /// request below `fencedSince` gets INVALID_PRODUCER_EPOCH, as Kafka answers old clients.
    static func code(_ error: TransactionError, fencedSince: Int16, version: Int16) -> Int16 {
        switch error {
        case .producerFenced: version >= fencedSince ? producerFenced : invalidProducerEpoch
        case .invalidProducerIdMapping: invalidProducerIdMapping
        case .invalidTxnState: invalidTxnState
        case .invalidTransactionTimeout: invalidTransactionTimeout
        case .concurrentTransactions: concurrentTransactions
        case .storage(let error): code(wharf: error)
        }
    }
}

/// The transactional APIs (exactly-once), answered by the engine's transaction coordinator:
/// InitProducerId with a transactional id, AddPartitionsToTxn, AddOffsetsToTxn,
/// TxnOffsetCommit and EndTxn. FindCoordinator answers this broker for transactional ids as
/// for groups (`findCoordinator`).
extension KafkaBroker {
    /// InitProducerId: without a transactional id, an idempotent producer's fresh id at epoch 0;
    /// with one, the coordinator's producer id and (bumped) epoch for it.
    func initProducerId(_ r: InitProducerIdRequest, version: Int16) async -> InitProducerIdResponse {
        guard let transactionalId = r.transactionalId, !transactionalId.isEmpty else { return initProducerId() }
        do throws(TransactionError) {
            let (id, epoch) = try await engine.initTransactionalProducer(transactionalId: transactionalId, timeoutMs: r.transactionTimeoutMs,
                                                                          producerId: r.producerId, epoch: r.producerEpoch)
            return InitProducerIdResponse(errorCode: KafkaError.none, producerId: id, producerEpoch: epoch)
        } catch {
            logger.debug("InitProducerId refused", metadata: ["transactionalId": "\(transactionalId)", "error": "\(error)"])
            return InitProducerIdResponse(errorCode: KafkaError.code(error, fencedSince: 4, version: version), producerId: -1, producerEpoch: -1)
        }
    }

    /// AddPartitionsToTxn v0-v3 (one transaction per request). Every partition must exist
    /// and be a client's: one that is not gets its error and the others OPERATION_NOT_ATTEMPTED,
    /// as Kafka answers; nothing is added then.
    func addPartitionsToTxn(_ r: AddPartitionsToTxnRequest, version: Int16) async -> AddPartitionsToTxnResponse {
        var refused: [TopicPartition: Int16] = [:]
        var partitions: [TransactionPartition] = []
        for t in r.v3AndBelowTopics {
            for p in t.partitions {
                if t.name == Engine.offsetsTopic {
                    refused[TopicPartition(t.name, p)] = KafkaError.topicAuthorizationFailed
                } else if (try? engine.offsets(topic: t.name, partition: p)) == nil {
                    refused[TopicPartition(t.name, p)] = KafkaError.unknownTopicOrPartition
                } else {
                    partitions.append(TransactionPartition(topic: t.name, partition: p))
                }
            }
        }
        var common = KafkaError.none
        if refused.isEmpty {
            do throws(TransactionError) {
                try await engine.addPartitionsToTransaction(transactionalId: r.v3AndBelowTransactionalId, producerId: r.v3AndBelowProducerId,
                                                            epoch: r.v3AndBelowProducerEpoch, partitions: partitions)
            } catch {
                common = KafkaError.code(error, fencedSince: 2, version: version)
            }
        }
        var response = AddPartitionsToTxnResponse()
        response.resultsByTopicV3AndBelow = r.v3AndBelowTopics.map { t in
            .init(name: t.name, resultsByPartition: t.partitions.map { p in
                let code = refused.isEmpty ? common : refused[TopicPartition(t.name, p)] ?? KafkaError.operationNotAttempted
                return .init(partitionIndex: p, partitionErrorCode: code)
            })
        }
        return response
    }

    /// AddOffsetsToTxn: the group's offsets (TxnOffsetCommit) will commit with the transaction.
    func addOffsetsToTxn(_ r: AddOffsetsToTxnRequest, version: Int16) async -> AddOffsetsToTxnResponse {
        var response = AddOffsetsToTxnResponse()
        do {
            try InternalNames.checkClientMayUse(group: r.groupId)
            try await engine.addOffsetsToTransaction(transactionalId: r.transactionalId, producerId: r.producerId,
                                                     epoch: r.producerEpoch, group: r.groupId)
        } catch let error as TransactionError {
            response.errorCode = KafkaError.code(error, fencedSince: 2, version: version)
        } catch {
            response.errorCode = (error as? WharfError).map(groupErrorCode) ?? KafkaError.unknownServerError
        }
        return response
    }

    /// TxnOffsetCommit: offsets held by the transaction, applied to the group when it commits.
    func txnOffsetCommit(_ r: TxnOffsetCommitRequest, version: Int16) async -> TxnOffsetCommitResponse {
        var offsets: [TopicPartition: (offset: Int64, metadata: String)] = [:]
        var unknown = Set<String>()
        for t in r.topics {
            guard t.name != Engine.offsetsTopic, (try? engine.describeTopic(t.name)) != nil else {
                unknown.insert(t.name)
                continue
            }
            for p in t.partitions where p.partitionIndex >= 0 {
                offsets[TopicPartition(t.name, p.partitionIndex)] = (p.committedOffset, p.committedMetadata ?? "")
            }
        }
        var code = KafkaError.none
        if !offsets.isEmpty {
            do {
                try InternalNames.checkClientMayUse(group: r.groupId)
                try await engine.coordinator.checkTransactionalCommitter(groupId: r.groupId, generationId: r.generationId, memberId: r.memberId)
                try await engine.commitTransactionalOffsets(transactionalId: r.transactionalId, producerId: r.producerId,
                                                            epoch: r.producerEpoch, group: r.groupId, offsets: offsets)
            } catch let error as TransactionError {
                code = KafkaError.code(error, fencedSince: 3, version: version)
            } catch {
                code = (error as? WharfError).map(groupErrorCode) ?? KafkaError.unknownServerError
            }
        }
        var response = TxnOffsetCommitResponse()
        response.topics = r.topics.map { t in
            .init(name: t.name, partitions: t.partitions.map {
                .init(partitionIndex: $0.partitionIndex, errorCode: unknown.contains(t.name) ? KafkaError.unknownTopicOrPartition : code)
            })
        }
        return response
    }

    /// EndTxn: answered once the markers are in every partition of the transaction (durable
    /// under the fsync policy) and, on commit, its offsets are in their groups.
    func endTxn(_ r: EndTxnRequest, version: Int16) async -> EndTxnResponse {
        var response = EndTxnResponse()
        do throws(TransactionError) {
            try await engine.endTransaction(transactionalId: r.transactionalId, producerId: r.producerId, epoch: r.producerEpoch, commit: r.committed)
        } catch {
            response.errorCode = KafkaError.code(error, fencedSince: 2, version: version)
        }
        return response
    }

    /// Fetch under read_committed: the stored batches below the last stable offset (whole
    /// batches; a transaction's first batch is where the LSO stops, so none straddles it).
    static func batches(_ bytes: [UInt8], below limit: Int64) -> [UInt8] {
        var end = 0
        bytes.withUnsafeBytes { raw in
            while raw.count - end >= RecordBatchHeader.size,
                  let h = try? RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[end...])),
                  h.baseOffset < limit, h.totalSize <= raw.count - end {
                end += h.totalSize
            }
        }
        return end == bytes.count ? bytes : Array(bytes[..<end])
    }

    /// Fetch's `aborted_transactions` for a read_committed read of [from, below).
    func abortedTransactions(topic: String, partition: Int32, from: Int64, below: Int64) -> [FetchResponse.AbortedTransaction] {
        ((try? engine.abortedTransactions(topic: topic, partition: partition, from: from, below: below)) ?? []).map {
            FetchResponse.AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
        }
    }
}
