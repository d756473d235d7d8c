import Testing
import WharfAdmin
import WharfCore

/// Where records go, the same for the engine, `produce --bootstrap` and the outbox publisher.
@Suite struct PartitionerTests {
    @Test(arguments: [Int32(1), 3, 6, 12]) func keyedRecordsGoWhereAKafkaProducerPutsThem(_ partitions: Int32) {
        let partitioner = Partitioner()
        for key in ["order-1", "order-2", "customer-42", ""] {
            let bytes = Array(key.utf8)
            let p = partitioner.partition(forKey: bytes, partitions: partitions)
            #expect(p == Murmur2.partition(forKey: bytes, partitions: partitions))
            #expect(p == partitioner.partition(forKey: bytes, partitions: partitions))  // the same key, the same partition
        }
    }

    @Test func unkeyedRecordsAreDealtRoundRobinFromPartitionZeroPerPartitioner() {
        let first = Partitioner()
        #expect((0..<7).map { _ in first.partition(forKey: nil, partitions: 3) } == [0, 1, 2, 0, 1, 2, 0])
        let second = Partitioner()
        #expect(second.partition(forKey: nil, partitions: 3) == 0)
    }
}
