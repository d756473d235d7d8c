/// Kafka protocol error codes (`org.apache.kafka.common.protocol.Errors`), the one table the
/// codec, the broker (which maps engine errors to them) and the client (which names and reacts
/// to them) share; codes not listed print as their number.
public enum KafkaErrorCode {
    public static let none: Int16 = 0
    public static let unknownServerError: Int16 = -1
    public static let offsetOutOfRange: Int16 = 1
    public static let corruptMessage: Int16 = 2
    public static let unknownTopicOrPartition: Int16 = 3
    public static let leaderNotAvailable: Int16 = 5
    public static let notLeaderOrFollower: Int16 = 6
    public static let requestTimedOut: Int16 = 7
    public static let messageTooLarge: Int16 = 10
    public static let coordinatorLoadInProgress: Int16 = 14
    public static let coordinatorNotAvailable: Int16 = 15
    public static let notCoordinator: Int16 = 16
    public static let invalidTopic: Int16 = 17
    public static let illegalGeneration: Int16 = 22
    public static let inconsistentGroupProtocol: Int16 = 23
    public static let invalidGroupId: Int16 = 24
    public static let unknownMemberId: Int16 = 25
    public static let invalidSessionTimeout: Int16 = 26
    public static let rebalanceInProgress: Int16 = 27
    public static let topicAuthorizationFailed: Int16 = 29
    public static let groupAuthorizationFailed: Int16 = 30
    public static let clusterAuthorizationFailed: Int16 = 31
    public static let invalidTimestamp: Int16 = 32
    public static let unsupportedSaslMechanism: Int16 = 33
    public static let illegalSaslState: Int16 = 34
    public static let unsupportedVersion: Int16 = 35
    public static let topicAlreadyExists: Int16 = 36
    public static let invalidPartitions: Int16 = 37
    public static let invalidReplicaAssignment: Int16 = 39
    public static let invalidConfig: Int16 = 40
    public static let invalidRequest: Int16 = 42
    public static let policyViolation: Int16 = 44
    public static let transactionalIdAuthorizationFailed: Int16 = 53
    /// An ACL API on a broker without an authorizer (`wharf serve` without `--authorize`).
    public static let securityDisabled: Int16 = 54
    public static let outOfOrderSequenceNumber: Int16 = 45
    public static let duplicateSequenceNumber: Int16 = 46
    public static let invalidProducerEpoch: Int16 = 47
    public static let kafkaStorageError: Int16 = 56
    public static let saslAuthenticationFailed: Int16 = 58
    public static let nonEmptyGroup: Int16 = 68
    public static let groupIdNotFound: Int16 = 69
    /// JoinGroup v4+: join again with the member id in the answer.
    public static let memberIdRequired: Int16 = 79
    /// OffsetDelete: the group still consumes the topic.
    public static let groupSubscribedToTopic: Int16 = 86
    public static let invalidRecord: Int16 = 87
    public static let resourceNotFound: Int16 = 91
    public static let duplicateResource: Int16 = 92
    public static let unacceptableCredential: Int16 = 93
    /// Metadata v12 / Fetch v13 named a topic id no topic has.
    public static let unknownTopicId: Int16 = 100
    /// KIP-848 consumer groups: the member's epoch is not current; rejoin with epoch 0.
    public static let fencedMemberEpoch: Int16 = 110
    public static let unreleasedInstanceId: Int16 = 111
    public static let unsupportedAssignor: Int16 = 112
    /// KIP-848: an OffsetCommit carried an epoch other than the member's.
    public static let staleMemberEpoch: Int16 = 113
    public static let invalidRegularExpression: Int16 = 128
    /// DescribeCluster asked a broker for controller endpoints (KIP-919).
    public static let unsupportedEndpointType: Int16 = 119

    static let names: [Int16: String] = [
        -1: "UNKNOWN_SERVER_ERROR", 1: "OFFSET_OUT_OF_RANGE", 2: "CORRUPT_MESSAGE", 3: "UNKNOWN_TOPIC_OR_PARTITION",
        5: "LEADER_NOT_AVAILABLE", 6: "NOT_LEADER_OR_FOLLOWER", 7: "REQUEST_TIMED_OUT", 10: "MESSAGE_TOO_LARGE",
        14: "COORDINATOR_LOAD_IN_PROGRESS", 15: "COORDINATOR_NOT_AVAILABLE", 16: "NOT_COORDINATOR", 17: "INVALID_TOPIC_EXCEPTION",
        22: "ILLEGAL_GENERATION", 24: "INVALID_GROUP_ID", 25: "UNKNOWN_MEMBER_ID", 27: "REBALANCE_IN_PROGRESS",
        29: "TOPIC_AUTHORIZATION_FAILED", 30: "GROUP_AUTHORIZATION_FAILED", 31: "CLUSTER_AUTHORIZATION_FAILED",
        33: "UNSUPPORTED_SASL_MECHANISM", 34: "ILLEGAL_SASL_STATE", 35: "UNSUPPORTED_VERSION",
        36: "TOPIC_ALREADY_EXISTS", 37: "INVALID_PARTITIONS", 38: "INVALID_REPLICATION_FACTOR",
        39: "INVALID_REPLICA_ASSIGNMENT", 40: "INVALID_CONFIG", 41: "NOT_CONTROLLER",
        42: "INVALID_REQUEST", 45: "OUT_OF_ORDER_SEQUENCE_NUMBER", 46: "DUPLICATE_SEQUENCE_NUMBER",
        53: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", 54: "SECURITY_DISABLED", 56: "KAFKA_STORAGE_ERROR",
        58: "SASL_AUTHENTICATION_FAILED", 68: "NON_EMPTY_GROUP", 69: "GROUP_ID_NOT_FOUND",
        86: "GROUP_SUBSCRIBED_TO_TOPIC", 87: "INVALID_RECORD", 91: "RESOURCE_NOT_FOUND",
        92: "DUPLICATE_RESOURCE", 93: "UNACCEPTABLE_CREDENTIAL", 100: "UNKNOWN_TOPIC_ID",
        110: "FENCED_MEMBER_EPOCH", 111: "UNRELEASED_INSTANCE_ID", 112: "UNSUPPORTED_ASSIGNOR",
        113: "STALE_MEMBER_EPOCH", 119: "UNSUPPORTED_ENDPOINT_TYPE", 128: "INVALID_REGULAR_EXPRESSION",
    ]

    public static func name(_ code: Int16) -> String {
        names[code].map { "\($0) (\(code))" } ?? "error \(code)"
    }

    /// Codes Kafka marks `RetriableException`: the same request can succeed later (or on
    /// another broker after a metadata refresh).
    public static func isRetriable(_ code: Int16) -> Bool {
        [leaderNotAvailable, notLeaderOrFollower, requestTimedOut, coordinatorLoadInProgress, coordinatorNotAvailable,
         notCoordinator, 13 /* NETWORK_EXCEPTION */, 19 /* NOT_ENOUGH_REPLICAS */, 41 /* NOT_CONTROLLER */].contains(code)
    }

    /// Codes that mean "your routing is stale": refresh metadata or the coordinator first.
    public static func needsRefresh(_ code: Int16) -> Bool {
        [leaderNotAvailable, notLeaderOrFollower, coordinatorNotAvailable, notCoordinator, unknownTopicOrPartition, 41].contains(code)
    }
}
