import WharfCore

/// One refresh of a cluster as any source reads it (`ClusterSource.readOverview`): what the
/// dashboard's Overview, Topics, Groups and Brokers views show, in report types.
public struct ClusterOverview: Sendable, Equatable {
    /// When it was read, by the source's clock.
    public var timeMs: Int64
    /// Said after the source's name in the header ("3 brokers"); nil: nothing to add.
    public var sourceDetail: String?
    /// Every topic, internal ones included.
    public var topics: [TopicDescription]
    /// Groups with members or commits (Wharf's requeue bookmarks left out).
    public var groups: [GroupStatus]
    public var brokers: [BrokerDescription]
    /// The fullest log volume; nil when the source did not report one.
    public var disk: DiskReport?

    public init(timeMs: Int64, sourceDetail: String? = nil, topics: [TopicDescription], groups: [GroupStatus],
                brokers: [BrokerDescription], disk: DiskReport? = nil) {
        self.timeMs = timeMs
        self.sourceDetail = sourceDetail
        self.topics = topics
        self.groups = groups
        self.brokers = brokers
        self.disk = disk
    }

    /// A log volume and the broker it belongs to (nil: the embedded engine's own directory).
    public struct DiskReport: Sendable, Equatable {
        public var volume: BrokerDescription.Volume
        public var broker: Int32?

        public init(volume: BrokerDescription.Volume, broker: Int32?) {
            self.volume = volume
            self.broker = broker
        }
    }
}

/// A group as the dashboard shows it: its lag rows, its members and what each is assigned.
public struct GroupStatus: Sendable, Equatable {
    public var group: String
    public var state: String
    public var members: [Member]
    /// One row per partition (`GroupLag.partitions`), time lag filled where it is known.
    public var partitions: [PartitionLag]
    /// Lagging partitions whose first unconsumed record could not be read this refresh: their
    /// time lag is unknown, not 0.
    public var unknownTimeLag: Set<TopicPartition>

    public init(group: String, state: String, members: [Member], partitions: [PartitionLag], unknownTimeLag: Set<TopicPartition> = []) {
        self.group = group
        self.state = state
        self.members = members
        self.partitions = partitions
        self.unknownTimeLag = unknownTimeLag
    }

    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var clientId: String
        public var host: String
        public var assigned: [TopicPartition]

        public init(memberId: String, clientId: String, host: String, assigned: [TopicPartition]) {
            self.memberId = memberId
            self.clientId = clientId
            self.host = host
            self.assigned = assigned
        }
    }
}
