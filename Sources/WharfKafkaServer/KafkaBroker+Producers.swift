import KafkaProtocol
import WharfCore
import WharfEngine

/// DescribeProducers (API 61, KIP-664): the idempotent producers each partition remembers.
/// Wharf has no transactions, so no producer has an open one (`currentTxnStartOffset` -1),
/// and it does not keep a producer's last timestamp (-1).
extension KafkaBroker {
    func describeProducers(_ r: DescribeProducersRequest) -> DescribeProducersResponse {
        var response = DescribeProducersResponse()
        response.topics = r.topics.map { t in
            .init(name: t.name, partitions: t.partitionIndexes.map { index in
                var p = DescribeProducersResponse.PartitionResponse(partitionIndex: index)
                do throws(WharfError) {
                    p.activeProducers = try engine.producers(topic: t.name, partition: index).map {
                        .init(producerId: $0.producerId, producerEpoch: Int32($0.epoch), lastSequence: $0.lastSequence,
                              lastTimestamp: -1, coordinatorEpoch: -1, currentTxnStartOffset: -1)
                    }
                } catch {
                    p.errorCode = KafkaError.code(error)
                    p.errorMessage = "\(error)"
                }
                return p
            })
        }
        return response
    }
}
