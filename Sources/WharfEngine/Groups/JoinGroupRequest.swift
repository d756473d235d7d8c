/// One protocol a member supports: a name (the assignor, e.g. "range") and opaque metadata
/// (for consumers, an encoded `ConsumerSubscription`).
public struct GroupProtocol: Sendable, Equatable {
    public var name: String
    public var metadata: [UInt8]
    public init(name: String, metadata: [UInt8]) {
        self.name = name
        self.metadata = metadata
    }
}

/// A JoinGroup, with the fields of Kafka's `JoinGroupRequest` the coordinator uses.
public struct JoinGroupRequest: Sendable {
    public var groupId: String
    /// "" for a new member: the coordinator assigns `"<clientId>-<uuid>"`.
    public var memberId: String
    /// Static membership id (KIP-345). Kept and reported, but members are treated as dynamic.
    public var groupInstanceId: String?
    public var clientId: String
    public var clientHost: String
    public var sessionTimeoutMs: Int32
    /// How long the coordinator waits for all members to rejoin; <= 0 means the session timeout
    /// (JoinGroup v0 has no such field).
    public var rebalanceTimeoutMs: Int32
    /// "consumer" for Kafka consumers; all members of a group must agree.
    public var protocolType: String
    /// In the member's order of preference.
    public var protocols: [GroupProtocol]

    public init(
        groupId: String, memberId: String = "", groupInstanceId: String? = nil,
        clientId: String, clientHost: String = "", sessionTimeoutMs: Int32 = 45_000,
        rebalanceTimeoutMs: Int32 = 300_000, protocolType: String = ConsumerProtocol.protocolType,
        protocols: [(name: String, metadata: [UInt8])]
    ) {
        self.groupId = groupId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.clientHost = clientHost
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.protocolType = protocolType
        self.protocols = protocols.map { GroupProtocol(name: $0.name, metadata: $0.metadata) }
    }

    /// The rebalance timeout in force: the session timeout when none was given.
    var effectiveRebalanceTimeoutMs: Int32 { rebalanceTimeoutMs > 0 ? rebalanceTimeoutMs : sessionTimeoutMs }
}

/// What JoinGroup answers once the rebalance completes.
public struct JoinGroupResult: Sendable, Equatable {
    public var generationId: Int32
    public var protocolType: String
    /// The protocol chosen for this generation (the assignor the leader must run).
    public var protocolName: String
    public var leaderId: String
    /// This member's id (assigned by the coordinator for a new member).
    public var memberId: String
    /// For the leader, every member with its metadata for `protocolName`; empty for followers.
    public var members: [JoinGroupMember]

    public var isLeader: Bool { memberId == leaderId }
}

public struct JoinGroupMember: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    public var metadata: [UInt8]
}
