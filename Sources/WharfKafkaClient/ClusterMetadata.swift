import WharfCore

/// The cluster as the last Metadata answer described it: brokers, the controller, and each
/// partition's leader (the broker that takes its reads and writes) and replicas.
public struct ClusterMetadata: Sendable, Equatable {
    public struct Broker: Sendable, Equatable {
        public var nodeId: Int32
        public var host: String
        public var port: Int
        public var address: String { "\(host):\(port)" }
    }

    public struct Partition: Sendable, Equatable {
        public var partition: Int32
        public var leader: Int32
        public var errorCode: Int16
        /// The brokers holding a copy, and those whose copy is caught up with the leader (the
        /// in-sync replicas). Fewer in sync than replicas: under-replicated, one broker failure
        /// closer to losing acknowledged writes.
        public var replicas: [Int32] = []
        public var inSync: [Int32] = []
    }

    public struct Topic: Sendable, Equatable {
        public var name: String
        public var isInternal: Bool
        public var partitions: [Partition]
    }

    public var brokers: [Int32: Broker]
    public var controllerId: Int32
    public var clusterId: String?
    /// Sorted by name.
    public var topics: [Topic]

    /// Binary search (`topics` is sorted): routing every partition of 2,000 topics through a
    /// linear scan cost millions of string compares per refresh. A miss falls back to a scan, so
    /// an out-of-order `topics` array is still answered correctly.
    public func topic(_ name: String) -> Topic? {
        var low = 0, high = topics.count
        while low < high {
            let mid = (low + high) / 2
            if topics[mid].name < name { low = mid + 1 } else { high = mid }
        }
        if low < topics.count, topics[low].name == name { return topics[low] }
        return topics.first { $0.name == name }
    }

    /// Brokers that partitions name as replicas but that Metadata does not list: a Kafka
    /// Metadata answer carries only live brokers, so these are down (or gone for good).
    public var missingBrokers: [Int32] {
        var named: Set<Int32> = []
        for t in topics { for p in t.partitions { named.formUnion(p.replicas) } }
        return named.subtracting(brokers.keys).sorted()
    }

    public func leader(of tp: TopicPartition) -> Int32? {
        topic(tp.topic)?.partitions.first { $0.partition == tp.partition }?.leader
    }
}
