/// A broker as any source reports it (`wharf broker list`, the Brokers view): the partitions it
/// leads and holds, the copies it holds out of the in-sync set, and its fullest log volume.
public struct BrokerDescription: Sendable, Equatable {
    public var id: Int32
    public var address: String
    public var isController: Bool
    /// False for a broker named as a replica but missing from the cluster's metadata (down).
    public var isOnline: Bool
    public var leaderPartitions: Int
    public var replicas: Int
    public var outOfSync: Int
    /// nil when the broker did not report its volume.
    public var volume: Volume?

    /// A log volume's size and what the broker may still write to it (statvfs's f_bavail,
    /// Kafka's UsableBytes).
    public struct Volume: Sendable, Equatable {
        public var totalBytes: Int64
        public var usableBytes: Int64

        public init(totalBytes: Int64, usableBytes: Int64) {
            self.totalBytes = totalBytes
            self.usableBytes = usableBytes
        }

        /// Free share in whole percent (rounded down, so 9.9% reads 9%).
        public var freePercent: Int { totalBytes > 0 ? Int(usableBytes * 100 / totalBytes) : 0 }
    }

    public init(id: Int32, address: String, isController: Bool, isOnline: Bool = true, leaderPartitions: Int, replicas: Int,
                outOfSync: Int, volume: Volume? = nil) {
        self.id = id
        self.address = address
        self.isController = isController
        self.isOnline = isOnline
        self.leaderPartitions = leaderPartitions
        self.replicas = replicas
        self.outOfSync = outOfSync
        self.volume = volume
    }

    /// The embedded engine is its own single broker: it leads and holds every partition, all in sync.
    public static func embedded(partitions: Int, volume: Volume?) -> BrokerDescription {
        BrokerDescription(id: 0, address: "embedded", isController: true, leaderPartitions: partitions, replicas: partitions,
                          outOfSync: 0, volume: volume)
    }
}
