import WharfCore

// What `wharf group describe|reset` and `wharf broker list` print with --json, the same from the
// embedded engine and from a cluster: named types, a contract scripts rely on.

/// One group's lag (`wharf group describe --json`).
public struct GroupLagReport: Encodable, Sendable, Equatable {
    public struct Partition: Encodable, Sendable, Equatable {
        public let topic: String
        public let partition: Int32
        public let committedOffset: Int64?
        public let logStartOffset: Int64
        public let logEndOffset: Int64
        public let lag: Int64
        public let timeLagMs: Int64
        public let owner: String?
    }

    public let group: String
    public let state: String
    public let members: Int
    public let totalLag: Int64
    public let partitions: [Partition]

    public init(_ lag: GroupLag) {
        group = lag.group
        state = lag.state
        members = lag.members
        totalLag = lag.totalLag
        partitions = lag.partitions.map {
            Partition(topic: $0.topic, partition: $0.partition, committedOffset: $0.committedOffset, logStartOffset: $0.logStartOffset,
                      logEndOffset: $0.logEndOffset, lag: $0.lag, timeLagMs: $0.timeLagMs, owner: $0.owner)
        }
    }
}

/// A reset, planned or executed (`wharf group reset --json`); `fencedLiveMembers` only when
/// executed.
public struct ResetReport: Encodable, Sendable, Equatable {
    public let group: String
    public let executed: Bool
    public let fencedLiveMembers: Bool?
    public let partitions: [ResetPlanRow]

    public init(group: String, rows: [ResetPlanRow], executed: Bool, fenced: Bool?) {
        self.group = group
        self.executed = executed
        fencedLiveMembers = fenced
        partitions = rows
    }
}

/// One broker (`wharf broker list --json`); -1 for disk figures a source cannot know.
public struct BrokerReport: Encodable, Sendable, Equatable {
    public var id: Int32
    public var address: String
    public var controller: Bool
    public var online: Bool
    public var leaderPartitions: Int
    public var replicas: Int
    public var outOfSync: Int
    public var diskTotalBytes: Int64
    public var diskFreeBytes: Int64

    public init(_ b: BrokerDescription) {
        id = b.id
        address = b.address
        controller = b.isController
        online = b.isOnline
        leaderPartitions = b.leaderPartitions
        replicas = b.replicas
        outOfSync = b.outOfSync
        diskTotalBytes = b.volume?.totalBytes ?? -1
        diskFreeBytes = b.volume?.usableBytes ?? -1
    }
}
