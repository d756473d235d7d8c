import KafkaProtocol
import WharfAuth
import WharfCore

/// `--authorize` for the transactional APIs, as Kafka's `KafkaApis` checks them:
///
/// | API | needs |
/// |---|---|
/// | AddPartitionsToTxn | WRITE transactional id, WRITE each topic (a denied topic refuses the request: its partitions TOPIC_AUTHORIZATION_FAILED, the rest OPERATION_NOT_ATTEMPTED) |
/// | AddOffsetsToTxn | WRITE transactional id, READ group |
/// | TxnOffsetCommit | WRITE transactional id, READ group, READ topic (denied topics are left out) |
/// | EndTxn | WRITE transactional id |
/// | DescribeTransactions | DESCRIBE transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for it); partitions of topics without DESCRIBE are left out |
/// | ListTransactions | lists the ids with DESCRIBE |
extension KafkaBroker {
    func transactionPlan(_ body: KafkaRequestBody, check: AccessCheck) -> AuthorizationPlan {
        let idDenied = KafkaError.transactionalIdAuthorizationFailed
        switch body {
        case .addPartitionsToTxn(let r):
            let idAllowed = check.allows(.write, .transactionalId, r.v3AndBelowTransactionalId)
            let deniedTopics = idAllowed ? Set(r.v3AndBelowTopics.map(\.name).filter { !check.allows(.write, .topic, $0) }) : []
            guard !idAllowed || !deniedTopics.isEmpty else { return .proceed(body, nil) }
            var response = AddPartitionsToTxnResponse()
            response.resultsByTopicV3AndBelow = r.v3AndBelowTopics.map { t in
                let code = !idAllowed ? idDenied : deniedTopics.contains(t.name) ? KafkaError.topicAuthorizationFailed : KafkaError.operationNotAttempted
                return .init(name: t.name, resultsByPartition: t.partitions.map { .init(partitionIndex: $0, partitionErrorCode: code) })
            }
            return .refuse(.addPartitionsToTxn(response))

        case .addOffsetsToTxn(let r):
            var code = KafkaError.none
            if !check.allows(.write, .transactionalId, r.transactionalId) {
                code = idDenied
            } else if !check.allows(.read, .group, r.groupId) {
                code = KafkaError.groupAuthorizationFailed
            }
            guard code != KafkaError.none else { return .proceed(body, nil) }
            var response = AddOffsetsToTxnResponse()
            response.errorCode = code
            return .refuse(.addOffsetsToTxn(response))

        case .txnOffsetCommit(var r):
            var whole = KafkaError.none
            if !check.allows(.write, .transactionalId, r.transactionalId) {
                whole = idDenied
            } else if !check.allows(.read, .group, r.groupId) {
                whole = KafkaError.groupAuthorizationFailed
            }
            guard whole == KafkaError.none else {
                var response = TxnOffsetCommitResponse()
                response.topics = r.topics.map { t in
                    .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: whole) })
                }
                return .refuse(.txnOffsetCommit(response))
            }
            let denied = r.topics.removeRefused { !check.allows(.read, .topic, $0.name) }
            guard !denied.isEmpty else { return .proceed(body, nil) }
            return .proceed(.txnOffsetCommit(r), .of { (response: inout TxnOffsetCommitResponse) in
                response.topics += denied.map { t in
                    .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: KafkaError.topicAuthorizationFailed) })
                }
            })

        case .endTxn(let r):
            guard !check.allows(.write, .transactionalId, r.transactionalId) else { return .proceed(body, nil) }
            var response = EndTxnResponse()
            response.errorCode = idDenied
            return .refuse(.endTxn(response))

        case .describeTransactions(let r):
            // Checked here (denials logged); the answer keeps the request's order.
            let denied = Set(r.transactionalIds.filter { !check.allows(.describe, .transactionalId, $0) })
            return .proceed(body, .of { (response: inout DescribeTransactionsResponse) in
                for i in response.transactionStates.indices {
                    guard !denied.contains(response.transactionStates[i].transactionalId) else {
                        var refused = DescribeTransactionsResponse.TransactionState()
                        refused.transactionalId = response.transactionStates[i].transactionalId
                        refused.errorCode = idDenied
                        refused.producerId = -1
                        refused.producerEpoch = -1
                        refused.transactionStartTimeMs = -1
                        response.transactionStates[i] = refused
                        continue
                    }
                    response.transactionStates[i].topics.removeAll { !check.allows(.describe, .topic, $0.topic, logDenial: false) }
                }
            })

        case .listTransactions:
            return .proceed(body, .of { (response: inout ListTransactionsResponse) in
                response.transactionStates.removeAll { !check.allows(.describe, .transactionalId, $0.transactionalId, logDenial: false) }
            })

        default:
            return .proceed(body, nil)
        }
    }
}

extension KafkaBroker {
    /// A read-only listener writes no transaction (InitProducerId is refused there already;
    /// these answer a producer id from an earlier run the same way).
    func transactionReadOnlyRefusal(_ body: KafkaRequestBody) -> KafkaResponseBody? {
        let denied = KafkaError.transactionalIdAuthorizationFailed
        switch body {
        case .addPartitionsToTxn(let r):
            var response = AddPartitionsToTxnResponse()
            response.resultsByTopicV3AndBelow = r.v3AndBelowTopics.map { t in
                .init(name: t.name, resultsByPartition: t.partitions.map { .init(partitionIndex: $0, partitionErrorCode: denied) })
            }
            return .addPartitionsToTxn(response)
        case .addOffsetsToTxn:
            var response = AddOffsetsToTxnResponse()
            response.errorCode = denied
            return .addOffsetsToTxn(response)
        case .txnOffsetCommit(let r):
            var response = TxnOffsetCommitResponse()
            response.topics = r.topics.map { t in .init(name: t.name, partitions: t.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: denied) }) }
            return .txnOffsetCommit(response)
        case .endTxn:
            var response = EndTxnResponse()
            response.errorCode = denied
            return .endTxn(response)
        default:
            return nil
        }
    }
}
