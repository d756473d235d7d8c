import KafkaProtocol
import WharfCore
import WharfEngine

/// DescribeProducers (API 61, KIP-664): the idempotent producers each partition remembers.
/// `currentTxnStartOffset` is where the producer's open transaction began on the partition
/// (-1: none); Wharf does not keep a producer's last timestamp (-1).
extension KafkaBroker {
    func describeProducers(_ r: DescribeProducersRequest) -> DescribeProducersResponse {
        var response = DescribeProducersResponse()
        response.topics = r.topics.map { t in
            .init(name: t.name, partitions: t.partitionIndexes.map { index in
                var p = DescribeProducersResponse.PartitionResponse(partitionIndex: index)
                do throws(WharfError) {
                    let open = Dictionary(try engine.openTransactions(topic: t.name, partition: index).map { ($0.producerId, $0.firstOffset) },
                                          uniquingKeysWith: min)
                    p.activeProducers = try engine.producers(topic: t.name, partition: index).map {
                        .init(producerId: $0.producerId, producerEpoch: Int32($0.epoch), lastSequence: $0.lastSequence,
                              lastTimestamp: -1, coordinatorEpoch: -1, currentTxnStartOffset: open[$0.producerId] ?? -1)
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
