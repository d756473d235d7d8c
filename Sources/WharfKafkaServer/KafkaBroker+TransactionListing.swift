import KafkaProtocol
import WharfCore
import WharfEngine

extension KafkaErrorCode {
    /// TRANSACTIONAL_ID_NOT_FOUND (KIP-664): DescribeTransactions for an id the coordinator does not have.
    static let transactionalIdNotFound: Int16 = 105
}

/// DescribeTransactions (65) and ListTransactions (66), KIP-664: the transaction coordinator's
/// state per transactional id, for `kafka-transactions.sh` and AdminClient's
/// `describeTransactions`/`listTransactions`. Read-only: answered on read-only listeners too.
extension KafkaBroker {
    /// One entry per requested id, in request order: its state, timeout, start, producer id and
    /// epoch, and the partitions of the open transaction (none once it completed).
    func describeTransactions(_ r: DescribeTransactionsRequest) async -> DescribeTransactionsResponse {
        let states = Dictionary(await engine.transactionStates().map { ($0.transactionalId, $0) }, uniquingKeysWith: { a, _ in a })
        var response = DescribeTransactionsResponse()
        response.transactionStates = r.transactionalIds.map { id in
            var out = DescribeTransactionsResponse.TransactionState()
            out.transactionalId = id
            guard let meta = states[id] else {
                out.errorCode = KafkaError.transactionalIdNotFound
                out.producerId = -1
                out.producerEpoch = -1
                out.transactionStartTimeMs = -1
                return out
            }
            out.transactionState = meta.status.kafkaName
            out.transactionTimeoutMs = meta.timeoutMs
            out.transactionStartTimeMs = meta.kafkaStartTimeMs
            out.producerId = meta.producerId
            out.producerEpoch = meta.epoch
            let byTopic = Dictionary(grouping: meta.partitions, by: \.topic)
            out.topics = byTopic.keys.sorted().map { topic in
                var t = DescribeTransactionsResponse.TopicData()
                t.topic = topic
                t.partitions = byTopic[topic, default: []].map(\.partition).sorted()
                return t
            }
            return out
        }
        return response
    }

    /// The transactional ids passing the request's filters (states by Kafka's names, producer
    /// ids, and from v1 a minimum duration), with the state names this broker does not know.
    func listTransactions(_ r: ListTransactionsRequest) async -> ListTransactionsResponse {
        let filter = TransactionFilter(states: r.stateFilters, producerIds: r.producerIdFilters, minDurationMs: r.durationFilter)
        var response = ListTransactionsResponse()
        response.unknownStateFilters = filter.unknownStates
        response.transactionStates = await engine.listTransactions(filter).map { meta in
            var out = ListTransactionsResponse.TransactionState()
            out.transactionalId = meta.transactionalId
            out.producerId = meta.producerId
            out.transactionState = meta.status.kafkaName
            return out
        }
        return response
    }
}
