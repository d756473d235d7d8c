/// A classic group's state as persisted in `__consumer_offsets` (Kafka's `GroupMetadataValue`).
/// Written after each completed sync (Stable) and each transition to Empty, so that a restarted
/// coordinator knows the group existed, its protocol type and its last generation.
public struct GroupMetadataSnapshot: Sendable, Equatable {
    /// "consumer" for Kafka consumers; "" for groups that only commit offsets.
    public var protocolType: String
    public var generationId: Int32
    /// The chosen protocol (assignor name), nil while Empty.
    public var protocolName: String?
    public var leaderId: String?
    /// ms since the epoch of the last state change; -1 when unknown (values before v2).
    public var currentStateTimestamp: Int64
    public var members: [Member]

    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        /// -1 when unknown (values v0).
        public var rebalanceTimeoutMs: Int32
        public var sessionTimeoutMs: Int32
        /// The member's metadata for the chosen protocol (a `ConsumerSubscription` for consumers).
        public var subscription: [UInt8]
        /// The leader's assignment for this member (a `ConsumerAssignment` for consumers).
        public var assignment: [UInt8]

        public init(
            memberId: String, groupInstanceId: String? = nil, clientId: String, clientHost: String,
            rebalanceTimeoutMs: Int32, sessionTimeoutMs: Int32, subscription: [UInt8], assignment: [UInt8]
        ) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.rebalanceTimeoutMs = rebalanceTimeoutMs
            self.sessionTimeoutMs = sessionTimeoutMs
            self.subscription = subscription
            self.assignment = assignment
        }
    }

    public init(
        protocolType: String, generationId: Int32, protocolName: String?, leaderId: String?,
        currentStateTimestamp: Int64, members: [Member]
    ) {
        self.protocolType = protocolType
        self.generationId = generationId
        self.protocolName = protocolName
        self.leaderId = leaderId
        self.currentStateTimestamp = currentStateTimestamp
        self.members = members
    }
}
