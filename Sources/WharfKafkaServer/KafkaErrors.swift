import KafkaProtocol
import WharfCore

/// The broker's name for Kafka's error codes (the one table, `KafkaErrorCode` in KafkaProtocol),
/// with how engine errors map to them.
typealias KafkaError = KafkaErrorCode

extension KafkaErrorCode {
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
