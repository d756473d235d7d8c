import WharfCore

/// A classic group's state, with Kafka's names (`kafkaName`) for DescribeGroups/ListGroups.
///
/// Classic groups: Empty -> PreparingRebalance (a member joins) -> CompletingRebalance (all members joined or
/// the rebalance timeout passed; join answers sent) -> Stable (the leader's SyncGroup stored
/// the assignments). Any membership change goes back to PreparingRebalance; the last member
/// leaving ends in Empty. Dead is reported only for a group being deleted.
public enum GroupState: String, Sendable, Equatable, CaseIterable {
    case empty = "Empty"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
    case dead = "Dead"
    /// KIP-848 consumer groups only: a new target assignment is due.
    case assigning = "Assigning"
    /// KIP-848 consumer groups only: members are moving to the target assignment.
    case reconciling = "Reconciling"

    public var kafkaName: String { rawValue }
}

/// A line of ListGroups.
public struct GroupOverview: Sendable, Equatable {
    public var groupId: String
    /// "" for groups that only commit offsets.
    public var protocolType: String
    public var state: GroupState
    /// A KIP-848 consumer group (ListGroups v5's type "consumer"); false: a classic group.
    public var isConsumerProtocol = false
}

/// DescribeGroups for one group.
public struct GroupDescription: Sendable, Equatable {
    public var groupId: String
    public var state: GroupState
    public var protocolType: String
    /// The chosen protocol; "" until the first rebalance completes and while Empty.
    public var protocolName: String
    public var generationId: Int32
    public var leaderId: String?
    public var members: [GroupMemberDescription]
}

public struct GroupMemberDescription: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    public var clientId: String
    public var clientHost: String
    /// The member's metadata for the chosen protocol (empty before a protocol is chosen).
    public var metadata: [UInt8]
    /// The assignment from the last completed sync (empty while rebalancing).
    public var assignment: [UInt8]
    /// For protocol type "consumer": topics decoded from `metadata` (nil if not decodable).
    public var subscribedTopics: [String]?
    /// For protocol type "consumer": partitions decoded from `assignment` (nil if not decodable).
    public var assignedPartitions: [TopicPartition]?
}

/// What a fenced reset did.
public struct ResetOutcome: Sendable, Equatable {
    /// Members that must rejoin before consuming again; empty when the group had no members.
    public var fencedMembers: [String]
    /// The generation whose commits, heartbeats and syncs are now refused; nil if none was fenced.
    public var fencedGeneration: Int32?
    /// The group's generation after the reset: the one the members will rejoin into if fenced.
    public var generationId: Int32

    public var membersFenced: Bool { !fencedMembers.isEmpty }
}
