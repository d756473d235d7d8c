import WharfCore

/// Kafka protocol error codes (`org.apache.kafka.common.protocol.Errors`) for engine errors.
enum KafkaError {
    static let none: Int16 = 0
    static let unknownServerError: Int16 = -1
    static let offsetOutOfRange: Int16 = 1
    static let corruptMessage: Int16 = 2
    static let unknownTopicOrPartition: Int16 = 3
    static let messageTooLarge: Int16 = 10
    static let coordinatorNotAvailable: Int16 = 15
    static let invalidTopic: Int16 = 17
    static let illegalGeneration: Int16 = 22
    static let inconsistentGroupProtocol: Int16 = 23
    static let invalidGroupId: Int16 = 24
    static let unknownMemberId: Int16 = 25
    static let invalidSessionTimeout: Int16 = 26
    static let rebalanceInProgress: Int16 = 27
    static let topicAuthorizationFailed: Int16 = 29
    static let groupAuthorizationFailed: Int16 = 30
    static let clusterAuthorizationFailed: Int16 = 31
    static let invalidTimestamp: Int16 = 32
    static let topicAlreadyExists: Int16 = 36
    static let invalidPartitions: Int16 = 37
    static let unsupportedSaslMechanism: Int16 = 33
    static let illegalSaslState: Int16 = 34
    static let invalidRequest: Int16 = 42
    static let policyViolation: Int16 = 44
    static let outOfOrderSequenceNumber: Int16 = 45
    static let invalidProducerEpoch: Int16 = 47
    static let kafkaStorageError: Int16 = 56
    static let saslAuthenticationFailed: Int16 = 58
    static let nonEmptyGroup: Int16 = 68
    static let groupIdNotFound: Int16 = 69
    static let invalidRecord: Int16 = 87
    static let resourceNotFound: Int16 = 91
    static let duplicateResource: Int16 = 92
    static let unacceptableCredential: Int16 = 93

    static func code(_ error: any Error) -> Int16 {
        (error as? WharfError).map(code(wharf:)) ?? unknownServerError
    }

    static func code(wharf error: WharfError) -> Int16 {
        switch error {
        case .unknownTopic, .unknownPartition: unknownTopicOrPartition
        case .topicExists: topicAlreadyExists
        case .invalidName: invalidTopic
        case .invalidArgument: invalidRequest
        case .offsetOutOfRange: offsetOutOfRange
        case .malformed, .corrupt: corruptMessage
        case .io, .locked: kafkaStorageError
        case .unknownGroup: groupIdNotFound
        case .unknownMember: unknownMemberId
        case .illegalGeneration: illegalGeneration
        case .rebalanceInProgress: rebalanceInProgress
        case .groupNotEmpty: nonEmptyGroup
        case .recordTooLarge: messageTooLarge
        case .invalidRecord: invalidRecord
        case .invalidTimestamp: invalidTimestamp
        case .outOfOrderSequence: outOfOrderSequenceNumber
        case .invalidProducerEpoch: invalidProducerEpoch
        case .topicAuthorizationFailed: topicAuthorizationFailed
        case .groupAuthorizationFailed: groupAuthorizationFailed
        case .policyViolation: policyViolation
        case .invalidSessionTimeout: invalidSessionTimeout
        default: unknownServerError
        }
    }
}
