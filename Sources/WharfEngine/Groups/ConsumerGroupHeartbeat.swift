import WharfCore

/// The topics a consumer group can subscribe to, read when the coordinator needs them (a
/// heartbeat, a tick), never copied: `partitionCount` is nil for a topic that does not exist.
/// `topicId` and `topicName` map names to topic ids and back (the persisted assignments name
/// topics by id, so a topic deleted and created again is not mistaken for the old one).
public struct TopicCatalog: Sendable {
    public var partitionCount: @Sendable (String) -> Int32?
    public var names: @Sendable () -> [String]
    public var topicId: @Sendable (String) -> ConsumerGroupRecord.TopicId?
    public var topicName: @Sendable (ConsumerGroupRecord.TopicId) -> String?

    /// Without id mappings, ids are derived from names alone (for catalogs whose topics are
    /// never recreated, such as tests').
    public init(partitionCount: @escaping @Sendable (String) -> Int32?, names: @escaping @Sendable () -> [String],
                topicId: (@Sendable (String) -> ConsumerGroupRecord.TopicId?)? = nil,
                topicName: (@Sendable (ConsumerGroupRecord.TopicId) -> String?)? = nil) {
        self.partitionCount = partitionCount
        self.names = names
        self.topicId = topicId ?? { name in partitionCount(name) == nil ? nil : Self.nameDerivedId(name) }
        self.topicName = topicName ?? { id in names().first { Self.nameDerivedId($0) == id } }
    }

    static func nameDerivedId(_ name: String) -> ConsumerGroupRecord.TopicId {
        let bytes = Array(name.utf8)
        return ConsumerGroupRecord.TopicId(high: 1, low: UInt64(CRC32C.checksum(bytes)) << 32 | UInt64(CRC32C.checksum(bytes.reversed())))
    }

    public static let empty = TopicCatalog(partitionCount: { _ in nil }, names: { [] })
}

/// A ConsumerGroupHeartbeat (KIP-848) in engine terms: topics by name (the broker maps ids).
/// Nil fields mean "unchanged since the last heartbeat", as on the wire.
public struct ConsumerGroupHeartbeatRequest: Sendable, Equatable {
    public var groupId: String
    public var memberId: String
    /// 0 joins, -1 leaves, -2 leaves for now (a static member that will be back).
    public var memberEpoch: Int32
    public var instanceId: String?
    public var rackId: String?
    /// -1: unchanged.
    public var rebalanceTimeoutMs: Int32
    public var subscribedTopicNames: [String]?
    public var subscribedTopicRegex: String?
    public var serverAssignor: String?
    /// The partitions the member holds now (nil: unchanged). Topics the broker could not name
    /// (deleted ones) are left out.
    public var ownedPartitions: [TopicPartition]?
    public var clientId: String
    public var clientHost: String

    public init(groupId: String, memberId: String, memberEpoch: Int32, instanceId: String? = nil, rackId: String? = nil,
                rebalanceTimeoutMs: Int32 = -1, subscribedTopicNames: [String]? = nil, subscribedTopicRegex: String? = nil,
                serverAssignor: String? = nil, ownedPartitions: [TopicPartition]? = nil, clientId: String = "", clientHost: String = "") {
        self.groupId = groupId
        self.memberId = memberId
        self.memberEpoch = memberEpoch
        self.instanceId = instanceId
        self.rackId = rackId
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.subscribedTopicNames = subscribedTopicNames
        self.subscribedTopicRegex = subscribedTopicRegex
        self.serverAssignor = serverAssignor
        self.ownedPartitions = ownedPartitions
        self.clientId = clientId
        self.clientHost = clientHost
    }
}

/// The answer: the member's id and epoch, when to heartbeat next, and its assignment when it
/// joined or the assignment changed (nil otherwise, as Kafka answers).
public struct ConsumerGroupHeartbeatResult: Sendable, Equatable {
    public var memberId: String
    public var memberEpoch: Int32
    public var heartbeatIntervalMs: Int32
    public var assignment: [TopicPartition]?
}

/// Why a ConsumerGroupHeartbeat (or a consumer member's commit) is refused, one case per
/// Kafka error the protocol defines for it.
public enum ConsumerGroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// FENCED_MEMBER_EPOCH: the epoch is not the member's; it must rejoin with epoch 0.
    case fencedMemberEpoch(String)
    /// UNKNOWN_MEMBER_ID: no such member (expired, removed, or the coordinator restarted).
    case unknownMember(String)
    /// GROUP_ID_NOT_FOUND: the id names a classic group with members.
    case groupIdNotFound(String)
    /// UNSUPPORTED_ASSIGNOR
    case unsupportedAssignor(String)
    /// UNRELEASED_INSTANCE_ID: another live member has this instance id.
    case unreleasedInstanceId(String)
    /// INVALID_REGULAR_EXPRESSION
    case invalidRegularExpression(String)
    /// INVALID_REQUEST (and INVALID_GROUP_ID for a bad group id, reported the same way here).
    case invalidRequest(String)
    /// STALE_MEMBER_EPOCH: a commit carried an epoch other than the member's current one.
    case staleMemberEpoch(String)

    public var description: String {
        switch self {
        case .fencedMemberEpoch(let s), .unknownMember(let s), .groupIdNotFound(let s), .unsupportedAssignor(let s),
             .unreleasedInstanceId(let s), .invalidRegularExpression(let s), .invalidRequest(let s), .staleMemberEpoch(let s):
            s
        }
    }
}

/// ConsumerGroupDescribe for one group.
public struct ConsumerGroupDescription: Sendable, Equatable {
    public var groupId: String
    public var state: GroupState
    public var groupEpoch: Int32
    public var assignmentEpoch: Int32
    public var assignor: String
    public var members: [Member]

    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var instanceId: String?
        public var rackId: String?
        public var memberEpoch: Int32
        public var clientId: String
        public var clientHost: String
        public var subscribedTopicNames: [String]
        public var subscribedTopicRegex: String?
        public var assigned: [TopicPartition]
        public var target: [TopicPartition]
    }
}
