/// One broker: what it leads and holds, how many of its copies lag, and its fullest log volume.
/// On a cluster these come from Metadata and DescribeLogDirs; the embedded engine is one broker.
public struct BrokerSnapshot: Equatable, Sendable {
    public var id: Int32
    /// host:port, or "embedded".
    public var address: String
    public var isController: Bool
    /// Partitions it leads: a broker leading far more than its peers takes more of the load.
    public var leaderPartitions: Int
    /// Partition copies it holds, and how many of them are out of the in-sync set.
    public var replicas: Int
    public var outOfSync: Int
    public var disk: DiskSnapshot?
    /// False for a broker that partitions still name as a replica but that the cluster no
    /// longer lists: it is down, and its copies are out of sync until it returns.
    public var isOnline: Bool

    public init(id: Int32, address: String, isController: Bool, leaderPartitions: Int, replicas: Int, outOfSync: Int,
                disk: DiskSnapshot? = nil, isOnline: Bool = true) {
        self.id = id
        self.address = address
        self.isController = isController
        self.leaderPartitions = leaderPartitions
        self.replicas = replicas
        self.outOfSync = outOfSync
        self.disk = disk
        self.isOnline = isOnline
    }
}
